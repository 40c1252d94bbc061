"""Open data: the programme as JSON, CSV, iCalendar, Atom and frab/C3VOC files, dated from Git."""
