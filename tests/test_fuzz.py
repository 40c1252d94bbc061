"""No input makes the checker crash: arbitrary bytes, arbitrary YAML, arbitrary data."""

from __future__ import annotations

import time

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agenda.check.catalogue import RULES
from agenda.check.load import MAX_BYTES, Document, load_bytes
from agenda.check.repository import check_repository
from agenda.check.rules import MAX_NEAR_DUPLICATES, Context, near_duplicate_titles, title_words
from conftest import run_agenda

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=40))
documents = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=5),
                               st.dictionaries(st.text(max_size=12), children, max_size=6)),
    max_leaves=30,
)
FIELDS = ["title", "format", "themes", "languages", "summary", "description", "proposers", "duration",
          "status", "schedule", "links", "accessibility", "looking_for", "example"]
proposal_like = st.dictionaries(st.sampled_from(FIELDS), documents, max_size=len(FIELDS))

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def assert_well_formed(problems):
    for p in problems:
        assert p.rule in RULES
        assert p.line >= 1 and p.column >= 1
        assert "\n" not in p.message and "\n" not in p.file
        assert len(p.message) < 400 and len(p.hint) < 600  # untrusted values are bounded


@FUZZ
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_crash_the_loader(raw):
    doc, problems = load_bytes("p.yaml", raw)
    assert (doc is None) == bool(problems)
    assert_well_formed(problems)


yaml_punctuation = st.text(alphabet=st.sampled_from(list("ab: -?[]{}&*!|>'\"#%@`\n\t,.<=~0123456789\\\u202e\x00\x85")),
                           max_size=200)


@FUZZ
@given(yaml_punctuation)
def test_yaml_shaped_noise_never_crashes_the_loader(text):
    doc, problems = load_bytes("p.yaml", text.encode("utf-8"))
    assert_well_formed(problems)


@FUZZ
@given(documents)
def test_any_yaml_document_loads_or_is_refused_cleanly(data):
    raw = yaml.safe_dump(data, allow_unicode=True).encode("utf-8")
    doc, problems = load_bytes("p.yaml", raw)
    assert_well_formed(problems)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(proposal_like)
def test_any_proposal_shaped_data_is_checked_without_crashing(base_repo, data):
    (base_repo / "proposals" / "fuzzed.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    report = check_repository(base_repo, jobs=1)
    assert_well_formed(report.problems)


def test_the_cli_survives_a_folder_of_hostile_files(base_repo):
    hostile = {
        "utf16.yaml": "title: x\n".encode("utf-16"),
        "binary.yaml": bytes(range(256)),
        "bomb.yaml": b"a: &a [1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a]\nc: [*b,*b,*b,*b,*b,*b,*b,*b]\n",
        "deep.yaml": b"a: " + b"{b: " * 3000 + b"1" + b"}" * 3000,
        "python.yaml": b"title: !!python/object/apply:os.system ['touch /tmp/agenda-pwned']\n",
        "huge.yaml": b"title: " + b"x" * 200_000,
        "list.yaml": b"- 1\n- 2\n",
    }
    for name, raw in hostile.items():
        (base_repo / "proposals" / name).write_bytes(raw)
    result = run_agenda("check", "--format", "json", cwd=base_repo)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    import json

    files = {p["file"] for p in json.loads(result.stdout)["problems"]}
    assert files == {f"proposals/{name}" for name in hostile}



SENTENCE = "What participants will learn or make. / Ce que les participants apprendront ou produiront."


@pytest.mark.parametrize("shape", [
    SENTENCE + " and more\n" + "\n" * 19_800 + "x",  # a template sentence, then empty lines
    ("\n" + SENTENCE.rsplit(" ", 1)[0] + "\n   ") * 200,  # almost the sentence, again and again
    "\n" * 15_000 + SENTENCE + "\n" + " \n" * 2_000 + "x",
    "-" * 19_990 + "|x",  # almost a table's delimiter row (the search once took 1.6 s)
    "> " + " " * 19_000 + "-|x",
])
def test_the_largest_hostile_descriptions_are_checked_in_linear_time(base_repo, shape):
    """Each rule's searches stay linear in the text: the template-sentence search once took
    4 s on a description of 20,000 empty lines, the schema's longest (each line start
    searched the rest of the run), and 37 s on 60,000."""
    template = (base_repo / "proposals" / "second-session.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(template)
    del data["description"]
    block = "".join(f"  {line}\n" if line else "\n" for line in shape.split("\n"))
    raw = (yaml.safe_dump(data, allow_unicode=True) + "description: |2-\n" + block).encode("utf-8")
    assert len(raw) <= MAX_BYTES and len(shape) <= 20_000
    assert load_bytes("p.yaml", raw)[0].data["description"] == shape
    (base_repo / "proposals" / "second-session.yaml").write_bytes(raw)
    start = time.perf_counter()
    problems = check_repository(base_repo, jobs=1).problems
    assert time.perf_counter() - start < 2  # about 0.1 s; the quadratic search took 4 s
    assert_well_formed(problems)
    found = {(p.file, p.rule) for p in problems}
    assert (("proposals/second-session.yaml", "placeholder-text") in found) == (SENTENCE + "\n" in shape)

VALID = {
    "title": "A valid proposal to mutate", "format": "workshop", "themes": ["climate-sustainable-development"],
    "languages": ["fr"], "summary": "A proposal whose fields the fuzzer replaces one or two at a time.",
    "description": "A description long enough to pass the schema's minimum length easily.",
    "proposers": [{"name": "Camille Test", "organisation": "Fuzz (example)", "country": "FR"}],
    "duration": 90, "status": "scheduled",
    "schedule": {"day": "2016-12-07", "start": "10:00", "end": "11:30", "room": "atelier-1"},
}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(FIELDS + ["schedule"]), documents, max_size=2),
       st.sampled_from(["day", "start", "end", "room", None]), documents)
def test_mutated_valid_proposals_reach_the_cross_file_rules_safely(base_repo, changes, schedule_key, value):
    data = {**VALID, **changes}
    if schedule_key and isinstance(data.get("schedule"), dict):
        data["schedule"] = {**data["schedule"], schedule_key: value}
    (base_repo / "proposals" / "mutated.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    report = check_repository(base_repo, jobs=1)
    assert_well_formed(report.problems)
    if not changes and schedule_key is None:
        assert {p.rule for p in report.problems} >= {"room-conflict", "proposer-conflict"}


def _near_duplicates_by_brute_force(titles):
    words = {pid: title_words(t) for pid, t in titles.items()}
    ids = sorted(words)
    return {(a, b) for i, a in enumerate(ids) for b in ids[i + 1:]
            if words[a] and words[b] and len(words[a] & words[b]) >= 0.8 * len(words[a] | words[b]) - 1e-9}


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=3, max_value=14),
       st.lists(st.lists(st.integers(min_value=0, max_value=13), min_size=0, max_size=10), min_size=2, max_size=40),
       st.lists(st.booleans(), min_size=40, max_size=40))
def test_near_duplicate_titles_are_the_pairs_brute_force_finds(vocabulary, word_lists, unique):
    """The prefix filtering (rarest words, mid-prefix index, length and position bounds) finds
    every pair with Jaccard >= 0.8 and no other, compared with all pairs on titles drawn from
    a small vocabulary (accents, case and small words aside). When a title has more than
    MAX_NEAR_DUPLICATES of them (a cluster of copies), it shows that many, all true, and one
    warning for the rest."""
    words_of = [f"w{i}" for i in range(vocabulary)] + ["le", "of", "été", "Été", "ete"]
    titles = {f"p{i:02d}": " ".join([words_of[w % len(words_of)] for w in words] + ([f"only{i}"] if unique[i] else []))
              for i, words in enumerate(word_lists)}
    ctx = Context(None, {}, {pid: Document(f"proposals/{pid}.yaml", {"title": t}) for pid, t in titles.items()})
    warnings = [(p.file[len("proposals/"):-len(".yaml")], p.related) for p in near_duplicate_titles(ctx)]
    expected = _near_duplicates_by_brute_force(titles)
    expected |= {(b, a) for a, b in expected}
    partners = {pid: {b for a, b in expected if a == pid} for pid in titles}
    shown = {w for w in warnings if w[1]}
    assert len(shown) == len([w for w in warnings if w[1]])  # each pair once a side
    assert shown <= expected
    if max(map(len, partners.values())) <= MAX_NEAR_DUPLICATES:
        assert shown == expected and len(shown) == len(warnings)
    for pid, theirs in partners.items():
        mine = {b for a, b in shown if a == pid}
        assert len(mine) <= MAX_NEAR_DUPLICATES
        if (pid, "") in warnings:  # the rest, summed up: only past the limit, and truly more
            assert len(mine) == MAX_NEAR_DUPLICATES < len(theirs)
        if not theirs:
            assert not mine and (pid, "") not in warnings


def test_a_thousand_copies_of_a_title_make_a_few_warnings_each_quickly():
    """Every pair of 3,000 titles that differ by one word out of ten is a near-duplicate:
    4.5 million pairs. Each proposal shows MAX_NEAR_DUPLICATES of them and one warning for
    the rest, and the search stops early: linear, not quadratic."""
    base = "Atelier données ouvertes transparence vie publique villes régions citoyens numéro"
    titles = {f"p{i:04d}": f"{base} {i}" for i in range(3000)}
    ctx = Context(None, {}, {pid: Document(f"proposals/{pid}.yaml", {"title": t}) for pid, t in titles.items()})
    start = time.perf_counter()
    warnings = list(near_duplicate_titles(ctx))
    assert time.perf_counter() - start < 5  # about 0.3 s; all pairs took minutes
    by_file = {}
    for w in warnings:
        by_file.setdefault(w.file, []).append(w.related)
    assert len(by_file) == len(titles)
    for related in by_file.values():
        assert len(related) == MAX_NEAR_DUPLICATES + 1 and related.count("") == 1
