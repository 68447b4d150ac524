"""generator/errors.py: the flat error line, its sorting, and GitHub workflow annotations."""

from __future__ import annotations

import pytest

from generator.errors import Problem, format_github, format_text, problem

PRODUCT = "catalog/products/quang_ninh/qn-a/product.yaml"


def test_text_line_shape() -> None:
    p = problem(PRODUCT, 10, "certificate.date", "invalid-date", value="2023-02-30")
    assert p.format() == (
        f"{PRODUCT}:10: certificate.date: ngày 2023-02-30 không tồn tại; viết theo dạng "
        "YYYY-MM-DD, ví dụ 2023-06-15 [invalid-date]"
    )
    assert p.format("en") == (
        f"{PRODUCT}:10: certificate.date: date 2023-02-30 does not exist; write YYYY-MM-DD, "
        "e.g. 2023-06-15 [invalid-date]"
    )


def test_whole_file_problem_has_no_field() -> None:
    p = problem(PRODUCT, 3, "", "tab-character")
    assert (
        p.format("en") == f"{PRODUCT}:3: line contains a tab; use spaces (2 per "
        "indentation level) [tab-character]"
    )


def test_bilingual_parameters() -> None:
    p = problem(
        PRODUCT,
        2,
        "ten",
        "unknown-field",
        key="ten",
        suggestion=("; có phải `name`?", "; did you mean `name`?"),
    )
    assert p.message("vi") == "trường `ten` không có trong mẫu; có phải `name`?"
    assert p.message("en") == "field `ten` is not part of the record; did you mean `name`?"


def test_parameters_become_text() -> None:
    p = problem(PRODUCT, 6, "stars", "not-allowed-value", value=6, allowed="3, 4, 5")
    assert dict(p.params) == {"value": "6", "allowed": "3, 4, 5"}


def test_unknown_code_is_a_programming_error() -> None:
    with pytest.raises(KeyError):
        problem(PRODUCT, 1, "", "no-such-code")


def test_format_text_sorts_by_path_line_field_code() -> None:
    problems = [
        problem("catalog/products/b/x/product.yaml", 2, "id", "empty-value"),
        problem("catalog/products/a/x/product.yaml", 10, "name", "empty-value"),
        problem("catalog/products/a/x/product.yaml", 9, "stars", "empty-value"),
        problem("catalog/products/a/x/product.yaml", 9, "group", "empty-value"),
        problem("catalog/producers/z.yaml", 50, "name", "empty-value"),
    ]
    lines = format_text(problems, "en").splitlines()
    assert [line.split(": empty")[0] for line in lines] == [
        "catalog/producers/z.yaml:50: name",
        "catalog/products/a/x/product.yaml:9: group",
        "catalog/products/a/x/product.yaml:9: stars",
        "catalog/products/a/x/product.yaml:10: name",  # lines sort as numbers, not as text
        "catalog/products/b/x/product.yaml:2: id",
    ]
    assert format_text(problems) == format_text(list(reversed(problems)))


def test_format_text_empty_and_trailing_newline() -> None:
    assert format_text([]) == ""
    out = format_text([problem(PRODUCT, 1, "", "empty-file")])
    assert out.endswith("[empty-file]\n") and out.count("\n") == 1


def test_problems_are_values() -> None:
    a = problem(PRODUCT, 1, "id", "empty-value")
    b = problem(PRODUCT, 1, "id", "empty-value")
    assert a == b and hash(a) == hash(b)
    assert isinstance(a, Problem)


def test_github_annotation_exact() -> None:
    p = problem(PRODUCT, 25, "gtin", "gtin-check-digit", value="8930000000018", expected=9)
    assert format_github([p], "en") == (
        "::error file=catalog/products/quang_ninh/qn-a/product.yaml,line=25,"
        "title=gtin-check-digit::gtin: GTIN 8930000000018 has a wrong check digit (last digit "
        "should be 9); copy it again from the barcode\n"
    )


def test_github_annotation_escaping() -> None:
    # a path with ":" and ",", a message with "%" and a line break
    p = Problem(
        "catalog/products/a,b/x:y/product.yaml",
        3,
        "name",
        "schema",
        (("detail", "50% off\r\nnext: line"),),
    )
    out = format_github([p], "vi")
    assert out == (
        "::error file=catalog/products/a%2Cb/x%3Ay/product.yaml,line=3,title=schema::"
        "name: giá trị không hợp lệ (50%25 off%0D%0Anext: line)\n"
    )
    assert out.count("\n") == 1  # one annotation, one line


def test_github_annotations_sorted_and_whole_file() -> None:
    problems = [
        problem("catalog/products/b/x/product.yaml", 1, "", "empty-file"),
        problem("catalog/products/a/x/product.yaml", 4, "", "tab-character"),
    ]
    out = format_github(problems, "en").splitlines()
    assert out[0].startswith(
        "::error file=catalog/products/a/x/product.yaml,line=4,"
        "title=tab-character::line contains a tab"
    )
    assert out[1] == (
        "::error file=catalog/products/b/x/product.yaml,line=1,"
        "title=empty-file::the file is empty; run `ocop new` for a template"
    )
