"""Writes schemas/product.schema.json and schemas/producer.schema.json.

The schemas are the public contract for contributors: every property carries a Vietnamese
`description`, an English `x-description-en` and, where it helps, an example. Edit this file and
run `python scripts/make_schemas.py`; the JSON files are committed and are what validation reads.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"
BASE = "https://ocop.example/schemas/"  # an identifier, never fetched


def prop(kind: str, vi: str, en: str, example: Any = None, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"type": kind, "description": vi, "x-description-en": en}
    if example is not None:
        out["examples"] = [example]
    out.update(extra)
    return out


def text(vi: str, en: str, example: Any = None, max_length: int = 300, **extra: Any):
    return prop("string", vi, en, example, minLength=1, maxLength=max_length, **extra)


DATE = {"pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}
# A date as precise as its source: YYYY, YYYY-MM or YYYY-MM-DD (generator/dates.py).
PARTIAL_DATE = {"pattern": r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"}
URL = {"pattern": r"^https?://[^\s<>\"'`]+$", "maxLength": 500}
# A lot code as printed on the pack (GS1 AI 10 allows at most 20 characters): upper-case
# letters, digits, "-" and ".", so that it prints, scans and makes a URL unchanged.
LOT_CODE = {"pattern": r"^[A-Z0-9][A-Z0-9.-]{0,19}$", "maxLength": 20}


def obj(vi: str, en: str, properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "description": vi,
        "x-description-en": en,
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def date(vi: str, en: str, example: str) -> dict[str, Any]:
    return prop("string", vi, en, example, **DATE)


def partial_date(vi: str, en: str, example: str) -> dict[str, Any]:
    """A date the source may give only to the year or month."""
    return prop(
        "string",
        vi + " Ghi YYYY-MM-DD; nếu nguồn chỉ ghi tháng hay năm thì ghi YYYY-MM hoặc YYYY.",
        en + " Write YYYY-MM-DD; when the source gives only the month or year, YYYY-MM or YYYY.",
        example,
        **PARTIAL_DATE,
    )


def place(address_required: bool) -> dict[str, Any]:
    return obj(
        "Nơi sản xuất theo đơn vị hành chính hiện hành (sau sắp xếp năm 2025).",
        "Place, as current administrative units (after the 2025 reform).",
        {
            "province": prop(
                "string",
                "Mã tỉnh/thành phố hiện hành, 2 chữ số, viết trong dấu nháy.",
                "Current province code, 2 digits, in quotes.",
                "22",
                pattern=r"^[0-9]{2}$",
            ),
            "commune": prop(
                "string",
                "Mã xã/phường/đặc khu hiện hành, 5 chữ số, viết trong dấu nháy.",
                "Current commune (ward, special zone) code, 5 digits, in quotes.",
                "06832",
                pattern=r"^[0-9]{5}$",
            ),
            "address": text(
                "Địa chỉ (thôn, số nhà, đường) theo địa giới hiện hành.",
                "Street address within the current commune.",
                "Thôn Nam Mẫu",
            ),
            "former_address": text(
                "Địa chỉ cũ như in trên giấy chứng nhận trước sắp xếp năm 2025.",
                "Address as printed on a certificate issued before the 2025 reform.",
                "xã Thượng Yên Công, thành phố Uông Bí, tỉnh Quảng Ninh",
            ),
        },
        ["province", "commune", "address"] if address_required else ["province", "commune"],
    )


def certificate(previous: bool) -> dict[str, Any]:
    props: dict[str, Any] = {
        "number": text(
            "Số quyết định công nhận, đúng như in.",
            "Decision number, exactly as printed.",
            "1978/QĐ-UBND",
            max_length=80,
        ),
        "date": partial_date("Ngày ký quyết định.", "Decision date.", "2023-06-15"),
        "issuer": text(
            "Cơ quan ban hành quyết định.",
            "The body that issued the decision.",
            "UBND tỉnh Quảng Ninh",
            max_length=200,
        ),
        "valid_until": partial_date(
            "Ngày hết hiệu lực; bỏ trống thì tính 36 tháng từ ngày quyết định.",
            "Expiry date; when empty, 36 months after the decision date.",
            "2026-06-15",
        ),
        "stars": prop(
            "integer", "Số sao được công nhận.", "Star rating awarded.", 4, enum=[3, 4, 5]
        ),
        "score": prop(
            "number",
            "Điểm đánh giá (trên 100), nếu có.",
            "Score out of 100, if published.",
            78,
            minimum=50,
            maximum=100,
        ),
        "revoked": obj(
            "Quyết định thu hồi chứng nhận, nếu có.",
            "Revocation of the certificate, if any.",
            {
                "date": partial_date("Ngày thu hồi.", "Revocation date.", "2024-03-01"),
                "decision": text(
                    "Số quyết định thu hồi.",
                    "Revocation decision number.",
                    "245/QĐ-UBND",
                    max_length=80,
                ),
                "reason": text("Lý do thu hồi.", "Reason given.", max_length=500),
            },
            ["date", "decision"],
        ),
    }
    required = ["number", "date", "issuer"] + (["stars"] if previous else [])
    return obj(
        "Chứng nhận OCOP trước đây (xếp hạng cũ)." if previous else "Chứng nhận OCOP hiện hành.",
        "An earlier OCOP certificate." if previous else "The current OCOP certificate.",
        props,
        required,
    )


def product_schema() -> dict[str, Any]:
    props: dict[str, Any] = {
        "id": prop(
            "string",
            "Mã sản phẩm cố định, dùng làm địa chỉ trang: chữ thường không dấu, số và dấu gạch "
            "ngang, tối đa 32 ký tự, trùng tên thư mục. Không bao giờ đổi hay dùng lại.",
            "Permanent product key and URL slug: lowercase ASCII letters, digits, single hyphens,"
            " at most 32 characters, equal to the folder name. Never changed or reused.",
            "qn-ruou-mo-yen-tu",
            pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$",
            maxLength=32,
        ),
        "name": text(
            "Tên sản phẩm như trên giấy chứng nhận.",
            "Product name as certified.",
            "Rượu mơ Yên Tử",
            max_length=200,
        ),
        "name_en": text(
            "Tên tiếng Anh (nếu có).",
            "English name, if any.",
            "Yen Tu apricot wine",
            max_length=200,
        ),
        "group": prop(
            "string",
            "Mã ngành sản phẩm (I–VI) theo Quyết định 148/QĐ-TTg.",
            "Product group code (I–VI), Decision 148/QĐ-TTg.",
            "II",
        ),
        "subgroup": prop(
            "string",
            "Mã nhóm/phân nhóm sản phẩm, ví dụ I.4.a.",
            "Product subgroup code, e.g. I.4.a.",
            "II.1.b",
        ),
        "group_inferred": prop(
            "boolean",
            "true khi ngành (và nhóm) do người nhập xếp theo tên sản phẩm vì nguồn không ghi; "
            "trang sản phẩm và dữ liệu công bố sẽ nói rõ điều này.",
            "true when the group (and subgroup) were assigned by whoever entered the record, "
            "from the product's name, because no source gives them; the product page and the "
            "published data say so.",
            True,
        ),
        "stars": prop(
            "integer",
            "Số sao OCOP hiện hành: 3, 4 hoặc 5.",
            "Current OCOP star rating: 3, 4 or 5.",
            4,
            enum=[3, 4, 5],
        ),
        "certificate": certificate(previous=False),
        "previous_certificates": {
            "type": "array",
            "description": "Các chứng nhận trước (lịch sử xếp hạng), cũ trước mới sau.",
            "x-description-en": "Earlier certificates (rating history), oldest first.",
            "items": certificate(previous=True),
        },
        "producer": prop(
            "string",
            "Mã chủ thể sản xuất (tên tệp trong catalog/producers/).",
            "Producer id (file name in catalog/producers/).",
            "htx-yen-tu",
            pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$",
            maxLength=40,
        ),
        "place": place(address_required=False),
        "gtin": prop(
            "string",
            "Mã vạch GTIN 8, 12, 13 hoặc 14 chữ số, viết trong dấu nháy.",
            "GTIN barcode number (8, 12, 13 or 14 digits), in quotes.",
            "8930000000019",
            pattern=r"^([0-9]{8}|[0-9]{12,14})$",
        ),
        "description": text(
            "Mô tả sản phẩm (Markdown, không dùng HTML).",
            "Description (Markdown, no HTML).",
            max_length=5000,
        ),
        "story": text(
            "Câu chuyện sản phẩm, một tiêu chí OCOP (Markdown, không dùng HTML).",
            "The product's story, an OCOP criterion (Markdown, no HTML).",
            max_length=20000,
        ),
        "ingredients": text("Thành phần.", "Ingredients.", max_length=1000),
        "net_quantity": text(
            "Khối lượng/thể tích tịnh.", "Net quantity.", "500 ml", max_length=100
        ),
        "shelf_life": text("Hạn sử dụng.", "Shelf life.", "24 tháng", max_length=100),
        "storage": text("Cách bảo quản.", "Storage.", "Nơi khô ráo, thoáng mát", max_length=300),
        "standards": {
            "type": "array",
            "description": "Tiêu chuẩn, chứng nhận chất lượng đạt được.",
            "x-description-en": "Quality standards met.",
            "items": text("Tên tiêu chuẩn.", "Standard name.", "VietGAP", max_length=100),
            "examples": [["VietGAP"]],
        },
        "where_to_buy": {
            "type": "array",
            "description": "Nơi bán.",
            "x-description-en": "Where to buy.",
            "items": obj(
                "Một điểm bán.",
                "A point of sale.",
                {
                    "name": text("Tên điểm bán.", "Name.", max_length=200),
                    "address": text("Địa chỉ.", "Address."),
                    "url": prop(
                        "string",
                        "Trang web (http:// hoặc https://).",
                        "Web address (http or https).",
                        "https://example.org",
                        **URL,
                    ),
                },
                ["name"],
            ),
        },
        "photos": {
            "type": "array",
            "maxItems": 20,
            "description": "Ảnh sản phẩm, ảnh đầu là ảnh chính. Chưa có ảnh thì bỏ trường này: "
            "trang sản phẩm mời gửi ảnh.",
            "x-description-en": "Product photos; the first is the main photo. Leave the field "
            "out when there is none yet: the page invites one.",
            "items": obj(
                "Một ảnh.",
                "A photo.",
                {
                    "file": prop(
                        "string",
                        "Tên tệp ảnh trong thư mục sản phẩm (.jpg, .png, .webp).",
                        "Photo file name in the product folder.",
                        "chai-ruou.jpg",
                        pattern=r"^[^/\\\u0000-\u001f]+\.(jpg|jpeg|png|webp|JPG|JPEG|PNG|WEBP)$",
                        maxLength=100,
                    ),
                    "alt": text(
                        "Mô tả nội dung ảnh cho người khiếm thị.",
                        "Describes the photo for blind readers.",
                        "Chai rượu mơ màu hổ phách trên bàn gỗ",
                        max_length=300,
                    ),
                    "credit": text(
                        "Người chụp hoặc nguồn ảnh.", "Photographer or source.", max_length=200
                    ),
                    "licence": text(
                        "Giấy phép sử dụng ảnh.", "Photo licence.", "CC BY 4.0", max_length=100
                    ),
                },
                ["file", "alt"],
            ),
        },
        "sources": {
            "type": "array",
            "minItems": 1,
            "description": "Nguồn công khai của thông tin (ít nhất một).",
            "x-description-en": "Public sources of the facts (at least one).",
            "items": {
                **obj(
                    "Một nguồn.",
                    "A source.",
                    {
                        "title": text("Tiêu đề nguồn.", "Title.", max_length=300),
                        "url": prop("string", "Địa chỉ trang.", "Web address.", **URL),
                        "document": text(
                            "Văn bản (số, tên) nếu không có địa chỉ web.",
                            "Document reference when there is no web address.",
                        ),
                        "date": partial_date("Ngày đăng.", "Publication date.", "2021-09-07"),
                        "quote": text(
                            "Câu trích từ nguồn làm chứng cho hồ sơ (đúng như nguồn viết).",
                            "The sentence of the source that supports the record, as written.",
                            "Rượu mơ Yên Tử của HTX Yên Tử đạt 4 sao OCOP.",
                            max_length=1000,
                        ),
                    },
                    ["title"],
                ),
                "anyOf": [{"required": ["url"]}, {"required": ["document"]}],
            },
        },
        "updated": date(
            "Ngày kiểm tra hồ sơ gần nhất.", "Date the record was last checked.", "2026-11-20"
        ),
        "withdrawn": obj(
            "Sản phẩm ngừng (không xóa hồ sơ: trang vẫn trả lời mã QR đã in).",
            "Withdrawn product (never delete a record: its page keeps answering printed QRs).",
            {
                "date": date("Ngày ngừng.", "Withdrawal date.", "2026-01-10"),
                "reason": text("Lý do.", "Reason.", max_length=500),
                "replaced_by": prop(
                    "string",
                    "Mã sản phẩm thay thế (nếu có).",
                    "Id of the product that replaces it, if any.",
                    pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$",
                    maxLength=32,
                ),
            },
            ["date", "reason"],
        ),
        "recalls": {
            "type": "array",
            "description": "Các đợt thu hồi sản phẩm, cũ trước mới sau. Không bao giờ xóa một đợt "
            "thu hồi đã ghi: khi kết thúc thì ghi `ended`.",
            "x-description-en": "The product's recalls, oldest first. A recall once written is "
            "never deleted: when it is over, write `ended`.",
            "items": obj(
                "Một đợt thu hồi.",
                "A recall.",
                {
                    "date": date(
                        "Ngày thông báo thu hồi.", "Date the recall was announced.", "2026-10-05"
                    ),
                    "lots": {
                        "type": "array",
                        "description": "Mã các lô bị thu hồi, đúng như trong lots.csv. Bỏ trường "
                        "này khi thu hồi cả sản phẩm.",
                        "x-description-en": "Codes of the recalled lots, as in lots.csv. Leave "
                        "the field out when the whole product is recalled.",
                        "examples": [["L2026-09"]],
                        "items": prop(
                            "string",
                            "Mã lô: chữ in hoa A-Z, chữ số, dấu - và dấu chấm, tối đa 20 ký tự.",
                            "Lot code: upper-case A-Z, digits, - and ., at most 20 characters.",
                            "L2026-09",
                            **LOT_CODE,
                        ),
                    },
                    "reason": text(
                        "Lý do thu hồi.",
                        "Why the product is recalled.",
                        "Kết quả kiểm nghiệm không đạt chỉ tiêu vi sinh",
                        max_length=1000,
                    ),
                    "action": text(
                        "Người mua cần làm gì: ngừng sử dụng, mang trả ở đâu, được hoàn tiền ra "
                        "sao.",
                        "What the buyer should do: stop using it, where to return it, how to get "
                        "a refund.",
                        "Ngừng sử dụng; mang sản phẩm đến nơi mua để được hoàn tiền",
                        max_length=1000,
                    ),
                    "authority": text(
                        "Cơ quan yêu cầu thu hồi, nếu có.",
                        "The authority that ordered the recall, if any.",
                        "Chi cục An toàn vệ sinh thực phẩm (ví dụ)",
                        max_length=200,
                    ),
                    "decision": text(
                        "Số, ngày văn bản yêu cầu thu hồi, nếu có.",
                        "Number and date of the recall decision, if any.",
                        "Số .../QĐ-ATTP ngày 05/10/2026 (ví dụ)",
                        max_length=200,
                    ),
                    "decision_url": prop(
                        "string",
                        "Địa chỉ web của văn bản thu hồi.",
                        "Web address of the recall decision.",
                        "https://example.org/quyet-dinh-thu-hoi.pdf",
                        **URL,
                    ),
                    "contact": text(
                        "Liên hệ để hỏi hay trả hàng (điện thoại, địa chỉ).",
                        "Whom to contact about the recall (phone, address).",
                        max_length=300,
                    ),
                    "ended": date(
                        "Ngày kết thúc thu hồi (không trước ngày thu hồi).",
                        "Date the recall ended (not before its date).",
                        "2026-12-01",
                    ),
                },
                ["date", "reason", "action"],
            ),
        },
        "example": prop(
            "boolean",
            "true nếu hồ sơ là ví dụ minh họa, không phải dữ liệu có nguồn.",
            "true when the record's values are illustrative, not sourced.",
            True,
        ),
    }
    required = [
        "id",
        "name",
        "group",
        "stars",
        "certificate",
        "producer",
        "place",
        "sources",
        "updated",
    ]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": BASE + "product.schema.json",
        **obj(
            "Hồ sơ một sản phẩm OCOP (catalog/products/<tỉnh>/<mã>/product.yaml).",
            "One OCOP product record.",
            props,
            required,
        ),
    }


def producer_schema() -> dict[str, Any]:
    props: dict[str, Any] = {
        "id": prop(
            "string",
            "Mã chủ thể, trùng tên tệp (không có .yaml).",
            "Producer id, equal to the file name.",
            "htx-yen-tu",
            pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$",
            maxLength=40,
        ),
        "name": text(
            "Tên chủ thể như đăng ký kinh doanh.",
            "Registered name.",
            "Hợp tác xã Yên Tử",
            max_length=200,
        ),
        "kind": prop(
            "string",
            "Loại chủ thể.",
            "Kind of producer.",
            "cooperative",
            enum=["cooperative", "cooperative_group", "enterprise", "household_business"],
        ),
        "place": place(address_required=True),
        "representative": text("Người đại diện.", "Legal representative.", max_length=100),
        "tax_code": prop(
            "string",
            "Mã số thuế (10 chữ số, có thể thêm -xxx), trong dấu nháy.",
            "Tax code (10 digits, optional -xxx), in quotes.",
            "5700100256",
            pattern=r"^[0-9]{10}(-[0-9]{3})?$",
        ),
        "phone": prop(
            "string",
            "Số điện thoại liên hệ, trong dấu nháy.",
            "Contact phone number, in quotes.",
            "0203 3888 888",
            pattern=r"^\+?[0-9][0-9 .()-]{6,18}[0-9]$",
        ),
        "phone_public": prop(
            "boolean",
            "true để công bố số điện thoại của hộ kinh doanh (mặc định không).",
            "true to publish a household business's phone (default: not).",
            False,
        ),
        "email": prop(
            "string",
            "Thư điện tử.",
            "E-mail address.",
            "lienhe@example.org",
            pattern=r"^[^@\s<>\"]+@[^@\s<>\"]+\.[a-zA-Z]{2,}$",
            maxLength=200,
        ),
        "website": prop("string", "Trang web.", "Website.", "https://example.org", **URL),
        "sources": product_schema()["properties"]["sources"]
        | {
            "minItems": 0,
            "description": "Nguồn công khai của thông tin chủ thể (nếu có).",
            "x-description-en": "Public sources of the producer's facts, if any.",
        },
        "example": prop(
            "boolean",
            "true nếu hồ sơ là ví dụ minh họa.",
            "true when the record is illustrative.",
            True,
        ),
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": BASE + "producer.schema.json",
        **obj(
            "Hồ sơ một chủ thể OCOP (catalog/producers/<mã>.yaml).",
            "One OCOP producer record.",
            props,
            ["id", "name", "kind", "place"],
        ),
    }


def column(
    name: str,
    kind: str,
    title: tuple[str, str],
    description: tuple[str, str],
    example: str | None = None,
    **constraints: Any,
) -> dict[str, Any]:
    """A field of a Frictionless Table Schema, with its English title and description beside
    the Vietnamese ones (as the record schemas carry x-description-en)."""
    out: dict[str, Any] = {
        "name": name,
        "type": kind,
        "title": title[0],
        "x-title-en": title[1],
        "description": description[0],
        "x-description-en": description[1],
    }
    if kind == "date":
        out["format"] = "default"  # YYYY-MM-DD
    if example is not None:
        out["example"] = example
    if constraints:
        out["constraints"] = constraints
    return out


def lots_schema() -> dict[str, Any]:
    """The Table Schema of a product's lots.csv (Frictionless Table Schema v1): one row per
    production or harvest lot, kept by the producer in a spreadsheet."""
    return {
        "$id": BASE + "lots.schema.json",
        "title": "Các lô sản phẩm (lots.csv)",
        "x-title-en": "A product's lots (lots.csv)",
        "description": "Mỗi dòng một lô sản xuất hay thu hoạch của sản phẩm, trong tệp lots.csv "
        "đặt cạnh product.yaml (UTF-8, ngăn cột bằng dấu phẩy, dòng đầu là tên cột). Lô đã công "
        "bố không bao giờ bị xóa: nhãn lô đã in trỏ tới trang của nó.",
        "x-description-en": "One row per production or harvest lot of the product, in lots.csv "
        "beside product.yaml (UTF-8, comma separated, the first row names the columns). A "
        "published lot is never deleted: printed lot labels point to its page.",
        "fields": [
            column(
                "lot",
                "string",
                ("Mã lô", "Lot code"),
                (
                    "Mã lô đúng như in trên bao bì: chữ in hoa A-Z không dấu, chữ số 0-9, dấu "
                    "gạch ngang - và dấu chấm .; bắt đầu bằng chữ hoặc số; tối đa 20 ký tự. "
                    "Không trùng trong cùng sản phẩm.",
                    "The lot code as printed on the pack: upper-case A-Z, digits 0-9, hyphen - "
                    "and dot .; starting with a letter or digit; at most 20 characters. Unique "
                    "within the product.",
                ),
                "L2026-07",
                required=True,
                unique=True,
                **LOT_CODE,
            ),
            column(
                "produced",
                "date",
                ("Ngày sản xuất (NSX)", "Production date"),
                (
                    "Ngày sản xuất hay thu hoạch (NSX), dạng YYYY-MM-DD; không sau ngày hôm nay.",
                    "Production or harvest date, YYYY-MM-DD; not after today.",
                ),
                "2026-07-15",
                required=True,
            ),
            column(
                "use_by",
                "date",
                ("Hạn sử dụng (HSD)", "Use-by date"),
                (
                    "Hạn sử dụng (HSD) hay sử dụng tốt nhất trước ngày, dạng YYYY-MM-DD; không "
                    "trước NSX. Để trống nếu sản phẩm không có hạn sử dụng.",
                    "Use-by or best-before date, YYYY-MM-DD; not before the production date. "
                    "Empty when the product has none.",
                ),
                "2027-07-15",
            ),
            column(
                "quantity",
                "number",
                ("Số lượng", "Quantity"),
                (
                    "Số lượng của lô, chỉ ghi số (dấu chấm thập phân), đơn vị ghi ở cột unit.",
                    "Size of the lot, a number only (decimal point); the unit goes in unit.",
                ),
                "800",
                minimum=0,
            ),
            column(
                "unit",
                "string",
                ("Đơn vị", "Unit"),
                (
                    "Đơn vị của số lượng: chai, hộp, kg...; bắt buộc khi có số lượng.",
                    "Unit of the quantity: bottles, boxes, kg...; required with a quantity.",
                ),
                "chai",
                maxLength=40,
            ),
            column(
                "origin",
                "string",
                ("Nguồn gốc nguyên liệu", "Origin"),
                (
                    "Vùng nguyên liệu, trang trại hay nơi thu hoạch, như chủ thể gọi.",
                    "Raw-material area, farm or harvest place, as the producer names it.",
                ),
                "Vùng mơ Thượng Yên Công",
                maxLength=300,
            ),
            column(
                "origin_commune",
                "string",
                ("Mã xã nguồn gốc", "Origin commune code"),
                (
                    "Mã xã/phường nơi có nguyên liệu (5 chữ số, mã sau sắp xếp 2025; tra bằng "
                    "`ocop places`). Trong Excel, định dạng cột là Văn bản để giữ số 0 ở đầu.",
                    "Code of the commune the raw materials come from (5 digits, since the 2025 "
                    "reform; look it up with `ocop places`). In Excel, format the column as "
                    "Text to keep the leading zero.",
                ),
                "06832",
                pattern=r"^[0-9]{5}$",
            ),
            column(
                "inspection_report",
                "string",
                ("Số phiếu kết quả thử nghiệm", "Test report number"),
                (
                    "Số phiếu kết quả thử nghiệm (kiểm nghiệm) của lô, đúng như in.",
                    "Number of the lot's laboratory test report, as printed.",
                ),
                "KQ-0001/2026",
                maxLength=100,
            ),
            column(
                "inspection_laboratory",
                "string",
                ("Phòng thử nghiệm", "Laboratory"),
                ("Tên phòng thử nghiệm.", "Name of the laboratory."),
                maxLength=200,
            ),
            column(
                "inspection_date",
                "date",
                ("Ngày thử nghiệm", "Test date"),
                (
                    "Ngày của phiếu kết quả, dạng YYYY-MM-DD; không sau ngày hôm nay.",
                    "Date of the test report, YYYY-MM-DD; not after today.",
                ),
                "2026-07-20",
            ),
            column(
                "inspection_result",
                "string",
                ("Kết quả thử nghiệm", "Test result"),
                (
                    "pass (đạt) hoặc fail (không đạt).",
                    "pass or fail.",
                ),
                "pass",
                enum=["pass", "fail"],
            ),
            column(
                "inspection_url",
                "string",
                ("Địa chỉ phiếu kết quả", "Test report address"),
                (
                    "Địa chỉ web (https://) nơi công bố phiếu kết quả, nếu có.",
                    "Web address (https://) where the test report is published, if any.",
                ),
                "https://example.org/kq-0001-2026.pdf",
                pattern=r"^https://[^\s<>\"'`]+$",
                maxLength=500,
            ),
            column(
                "note",
                "string",
                ("Ghi chú", "Note"),
                ("Ghi chú về lô.", "A note about the lot."),
                maxLength=500,
            ),
        ],
        "missingValues": [""],
        "primaryKey": ["lot"],
    }


def main() -> None:
    schemas = (
        ("lots", lots_schema()),
        ("product", product_schema()),
        ("producer", producer_schema()),
    )
    for name, schema in schemas:
        path = SCHEMAS / f"{name}.schema.json"
        path.write_text(json.dumps(schema, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print("wrote", path)


if __name__ == "__main__":
    main()
