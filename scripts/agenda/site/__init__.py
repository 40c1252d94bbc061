"""The site: the model rendered into pages by templates, and the MkDocs plugin that publishes them."""
