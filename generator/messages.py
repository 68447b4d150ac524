"""Every problem code with its message, Vietnamese first, then English.

Codes are stable: tests, CI annotations and the contribution guide refer to them. A message says
what is wrong and what to write instead. Parameters are filled with str.format.
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # --- the file itself -------------------------------------------------------------------
    "file-too-large": {
        "vi": "tệp quá lớn (tối đa {limit}); hồ sơ chỉ chứa chữ, ảnh để thành tệp riêng",
        "en": "file too large (at most {limit}); a record holds text only, photos are "
        "separate files",
    },
    "not-utf8": {
        "vi": "tệp không ở bảng mã UTF-8; lưu lại tệp với bảng mã UTF-8 (trong Notepad: Lưu "
        "thành…, Mã hóa: UTF-8)",
        "en": "file is not UTF-8; save it again as UTF-8 (in Notepad: Save as…, Encoding: UTF-8)",
    },
    "tab-character": {
        "vi": "dòng có ký tự tab; dùng dấu cách (2 dấu cách cho mỗi mức thụt lề)",
        "en": "line contains a tab; use spaces (2 per indentation level)",
    },
    "yaml-syntax": {
        "vi": "sai cú pháp YAML: {detail}",
        "en": "YAML syntax error: {detail}",
    },
    "yaml-alias": {
        "vi": "không dùng neo/tham chiếu YAML (& hoặc *); viết đầy đủ giá trị, "
        "và đặt văn bản có * hoặc & trong dấu nháy kép",
        "en": "YAML anchors and aliases (& or *) are not allowed; write values out in full "
        "and quote text that contains * or &",
    },
    "yaml-tag": {
        "vi": "không dùng thẻ YAML {tag}; viết giá trị thường (chữ trong dấu nháy kép)",
        "en": "YAML tag {tag} is not allowed; write a plain value (text in double quotes)",
    },
    "empty-file": {
        "vi": "tệp rỗng; chạy `ocop new` để có mẫu hồ sơ",
        "en": "the file is empty; run `ocop new` for a template",
    },
    "not-a-mapping": {
        "vi": "hồ sơ phải là các dòng dạng `tên: giá trị` (có dấu cách sau dấu hai chấm)",
        "en": "a record must be lines of the form `field: value` (a space after the colon)",
    },
    "too-deep": {
        "vi": "lồng quá nhiều cấp; hồ sơ chỉ có vài cấp trường theo mẫu",
        "en": "nested too deeply; records only have a few levels of fields",
    },
    "duplicate-key": {
        "vi": "trường `{key}` viết hai lần; giữ một dòng và xóa dòng kia",
        "en": "field `{key}` appears twice; keep one and delete the other",
    },
    "non-string-key": {
        "vi": "tên trường `{key}` không hợp lệ; tên trường là chữ thường không dấu, ví dụ `name`",
        "en": "`{key}` is not a valid field name; field names are words such as `name`",
    },
    "not-nfc": {
        "vi": "chữ tiếng Việt ở dạng tổ hợp (NFD){more}; chạy `ocop fix {file}` để chuyển cả "
        "tệp sang dạng dựng sẵn (NFC)",
        "en": "Vietnamese text is decomposed (NFD){more}; run `ocop fix {file}` to convert the "
        "whole file to NFC",
    },
    # --- files and folders -----------------------------------------------------------------
    "wrong-file-name": {
        "vi": "tên tệp phải là `{expected}`; đổi tên tệp",
        "en": "the file must be named `{expected}`; rename it",
    },
    "missing-record": {
        "vi": "thư mục sản phẩm không có tệp product.yaml; thêm tệp hoặc xóa thư mục",
        "en": "the product folder has no product.yaml; add it or remove the folder",
    },
    "stray-file": {
        "vi": "tệp không đúng chỗ; sản phẩm nằm ở catalog/products/<tỉnh>/<mã>/product.yaml, "
        "chủ thể ở catalog/producers/<mã>.yaml",
        "en": "file in the wrong place; products go in "
        "catalog/products/<province>/<id>/product.yaml, producers in "
        "catalog/producers/<id>.yaml",
    },
    "symlink": {
        "vi": "không dùng liên kết tượng trưng (symlink); đặt tệp thật vào thư mục",
        "en": "symbolic links are not allowed; put the real file in the folder",
    },
    "unknown-province-folder": {
        "vi": "không có tỉnh nào dùng thư mục `{folder}`; đổi tên thư mục thành {example} "
        "(tên thư mục của các tỉnh: chạy `ocop places`)",
        "en": "no province uses the folder name `{folder}`; rename the folder to {example} "
        "(province folder names: run `ocop places`)",
    },
    "case-clash": {
        "vi": "trùng tên với `{other}` khi không phân biệt chữ hoa/thường; đổi tên một trong hai",
        "en": "same name as `{other}` on a case-insensitive disk; rename one of them",
    },
    # --- schema ----------------------------------------------------------------------------
    "missing-field": {
        "vi": "thiếu trường bắt buộc `{key}`; thêm dòng `{key}: ...` ({hint})",
        "en": "required field `{key}` is missing; add a line `{key}: ...` ({hint})",
    },
    "unknown-field": {
        "vi": "trường `{key}` không có trong mẫu{suggestion}",
        "en": "field `{key}` is not part of the record{suggestion}",
    },
    "wrong-type": {
        "vi": "cần {expected}, đang là {actual}{hint}",
        "en": "expected {expected}, found {actual}{hint}",
    },
    "empty-value": {
        "vi": "đang để trống; điền giá trị hoặc xóa cả dòng nếu trường không bắt buộc",
        "en": "empty; write a value, or delete the line if the field is optional",
    },
    "bad-format": {
        "vi": "`{value}` không đúng dạng; {hint}",
        "en": "`{value}` has the wrong form; {hint}",
    },
    "not-allowed-value": {
        "vi": "`{value}` không phải giá trị cho phép; viết một trong: {allowed}",
        "en": "`{value}` is not allowed; write one of: {allowed}",
    },
    "too-long": {
        "vi": "quá dài ({length} ký tự, tối đa {limit}); rút gọn",
        "en": "too long ({length} characters, at most {limit}); shorten it",
    },
    "too-few-items": {
        "vi": "cần ít nhất {limit} mục; thêm mục bắt đầu bằng `- `",
        "en": "needs at least {limit} item(s); add an item starting with `- `",
    },
    "too-many-items": {
        "vi": "nhiều quá {limit} mục; bớt đi",
        "en": "more than {limit} items; remove some",
    },
    "out-of-range": {
        "vi": "`{value}` nằm ngoài khoảng cho phép ({hint})",
        "en": "`{value}` is out of range ({hint})",
    },
    "source-needs-link": {
        "vi": "nguồn cần `url` (địa chỉ web) hoặc `document` (số, tên văn bản)",
        "en": "a source needs a `url` or a `document` reference",
    },
    "schema": {
        "vi": "giá trị không hợp lệ ({detail})",
        "en": "invalid value ({detail})",
    },
    # --- meaning ---------------------------------------------------------------------------
    "id-folder-mismatch": {
        "vi": "mã `{value}` khác tên thư mục `{folder}`; viết `id: {folder}`, hoặc đổi tên thư "
        "mục nếu sản phẩm chưa công bố",
        "en": "id `{value}` differs from the folder name `{folder}`; write `id: {folder}`, or "
        "rename the folder if the product is not yet published",
    },
    "id-file-mismatch": {
        "vi": "mã `{value}` khác tên tệp `{file}`; đặt `id: {file}` hoặc đổi tên tệp",
        "en": "id `{value}` differs from the file name `{file}`; write `id: {file}` or rename",
    },
    "duplicate-id": {
        "vi": "mã `{value}` đã dùng ở {other}; chọn mã khác (mã không bao giờ dùng lại)",
        "en": "id `{value}` is already used in {other}; choose another (ids are never reused)",
    },
    "duplicate-gtin": {
        "vi": "mã vạch {value} đã ghi cho sản phẩm ở {other}; mỗi mã vạch chỉ thuộc một sản "
        "phẩm: chép lại mã đúng từ bao bì",
        "en": "barcode {value} is already given for the product in {other}; a GTIN belongs to "
        "one product: copy the right one from the package",
    },
    "unknown-producer": {
        "vi": "không có chủ thể `{value}` trong catalog/producers/{suggestion}; thêm tệp "
        "catalog/producers/{value}.yaml (chạy `ocop new producer`)",
        "en": "no producer `{value}` in catalog/producers/{suggestion}; add "
        "catalog/producers/{value}.yaml (run `ocop new producer`)",
    },
    "unknown-province": {
        "vi": "không có tỉnh/thành mã `{value}` (34 tỉnh/thành sau sắp xếp 2025); ví dụ "
        '"22" là Quảng Ninh',
        "en": 'no province with code `{value}` (34 provinces since 2025); e.g. "22" is Quảng Ninh',
    },
    "unknown-commune": {
        "vi": "không có xã/phường mã `{value}` (mã sau sắp xếp 2025, 5 chữ số); tra mã bằng "
        "`ocop places {province}`",
        "en": "no commune with code `{value}` (5-digit code since 2025); look it up with "
        "`ocop places {province}`",
    },
    "commune-not-in-province": {
        "vi": "xã/phường `{value}` ({name}) thuộc {actual}, không thuộc tỉnh `{province}`; sửa "
        "mã tỉnh hoặc mã xã",
        "en": "commune `{value}` ({name}) lies in {actual}, not in province `{province}`; fix "
        "one of the codes",
    },
    "province-folder-mismatch": {
        "vi": "sản phẩm của {province_name} phải nằm trong thư mục catalog/products/{expected}/",
        "en": "a product of {province_name} belongs in catalog/products/{expected}/",
    },
    "invalid-date": {
        "vi": "ngày {value} không tồn tại; viết theo dạng YYYY-MM-DD, ví dụ 2023-06-15",
        "en": "date {value} does not exist; write YYYY-MM-DD, e.g. 2023-06-15",
    },
    "invalid-month": {
        "vi": "tháng {value} không tồn tại; viết YYYY-MM với tháng từ 01 đến 12, ví dụ 2021-03",
        "en": "month {value} does not exist; write YYYY-MM with a month from 01 to 12, e.g. "
        "2021-03",
    },
    "future-date": {
        "vi": "ngày {value} ở tương lai (hôm nay {today}); kiểm tra lại năm, tháng",
        "en": "date {value} is in the future (today is {today}); check year and month",
    },
    "date-order": {
        "vi": "ngày {value} phải sau {other_field} ({other}); kiểm tra lại năm, tháng",
        "en": "date {value} must come after {other_field} ({other}); check year and month",
    },
    "date-format": {
        "vi": "`{value}` không phải ngày dạng YYYY-MM-DD (năm-tháng-ngày); viết {suggestion}",
        "en": "`{value}` is not a date of the form YYYY-MM-DD (year-month-day); write {suggestion}",
    },
    "partial-date-format": {
        "vi": "`{value}` không phải ngày dạng YYYY-MM-DD (năm-tháng-ngày), YYYY-MM hay YYYY "
        "(khi nguồn chỉ ghi tháng hay năm); viết {suggestion}",
        "en": "`{value}` is not a date of the form YYYY-MM-DD (year-month-day), YYYY-MM or YYYY "
        "(when the source gives only the month or year); write {suggestion}",
    },
    "previous-not-earlier": {
        "vi": "chứng nhận trước ngày {value} không sớm hơn chứng nhận hiện hành ({other}); ghi "
        "chứng nhận mới nhất ở `certificate:`, các chứng nhận cũ ở `previous_certificates:`",
        "en": "earlier certificate of {value} is not older than the current one ({other}); put "
        "the newest in `certificate:` and older ones in `previous_certificates:`",
    },
    "unknown-group": {
        "vi": "`{value}` không phải mã ngành; viết một trong: {allowed}",
        "en": "`{value}` is not a group code; write one of: {allowed}",
    },
    "unknown-subgroup": {
        "vi": "`{value}` không phải mã nhóm của ngành {group}{hint}; viết một trong: {allowed}",
        "en": "`{value}` is not a subgroup of group {group}{hint}; write one of: {allowed}",
    },
    "gtin-check-digit": {
        "vi": "mã GTIN {value} sai số kiểm tra (số cuối phải là {expected}); chép lại từ mã "
        "vạch trên bao bì",
        "en": "GTIN {value} has a wrong check digit (last digit should be {expected}); copy it "
        "again from the barcode",
    },
    "stars-mismatch": {
        "vi": "`stars: {value}` khác số sao của chứng nhận hiện hành ({other}); hai số phải "
        "bằng nhau",
        "en": "`stars: {value}` differs from the current certificate's stars ({other}); the "
        "two must be equal",
    },
    "raw-html": {
        "vi": "không dùng thẻ HTML (`{tag}`); viết Markdown: **đậm**, *nghiêng*, "
        "[chữ](https://...)",
        "en": "HTML tags are not allowed (`{tag}`); write Markdown: **bold**, *italic*, "
        "[text](https://...)",
    },
    "unknown-replacement": {
        "vi": "không có sản phẩm `{value}` để thay thế{suggestion}; ghi mã một sản phẩm có "
        "trong danh mục",
        "en": "no product `{value}` to point to{suggestion}; write the id of a product in the "
        "catalog",
    },
    # --- photos ----------------------------------------------------------------------------
    "photo-missing": {
        "vi": "không thấy tệp ảnh `{value}` trong thư mục sản phẩm{suggestion}; tải ảnh lên "
        "cùng thư mục với product.yaml",
        "en": "photo `{value}` is not in the product folder{suggestion}; upload it next to "
        "product.yaml",
    },
    "photo-path": {
        "vi": "`{value}` không phải tên tệp trong thư mục sản phẩm; chỉ ghi tên tệp, ví dụ "
        "`{name}`, và đặt ảnh cùng thư mục với product.yaml",
        "en": "`{value}` is not a file name in the product folder; write just the file name, "
        "e.g. `{name}`, and put the photo next to product.yaml",
    },
    "photo-not-image": {
        "vi": "tệp `{value}` không phải ảnh JPEG, PNG hay WebP; xuất lại ảnh ở dạng JPEG",
        "en": "`{value}` is not a JPEG, PNG or WebP image; export it again as JPEG",
    },
    "photo-type-mismatch": {
        "vi": "tệp `{value}` thực chất là ảnh {actual}; đổi đuôi tệp thành .{extension} và sửa "
        "dòng `file:` cho khớp",
        "en": "`{value}` is really a {actual} image; rename it with the .{extension} extension "
        "and change the `file:` line to match",
    },
    "photo-too-large": {
        "vi": "ảnh `{value}` nặng {size} (tối đa {limit}); giảm cỡ ảnh trước khi tải lên",
        "en": "photo `{value}` is {size} (at most {limit}); make it smaller before uploading",
    },
    "photo-too-small": {
        "vi": "ảnh `{value}` chỉ {width}×{height} điểm ảnh (cạnh ngắn cần ít nhất {limit}); "
        "dùng ảnh gốc rõ hơn",
        "en": "photo `{value}` is only {width}×{height} pixels (the short side needs at least "
        "{limit}); use a sharper original",
    },
    "photo-too-many-pixels": {
        "vi": "ảnh `{value}` có {pixels} triệu điểm ảnh (tối đa {limit}); thu nhỏ ảnh",
        "en": "photo `{value}` has {pixels} megapixels (at most {limit}); scale it down",
    },
    "photo-broken": {
        "vi": "ảnh `{value}` bị hỏng, không đọc được; xuất lại ảnh",
        "en": "photo `{value}` is damaged and cannot be read; export it again",
    },
    "photo-duplicate": {
        "vi": "ảnh `{value}` đã liệt kê ở trên; mỗi ảnh ghi một lần",
        "en": "photo `{value}` is listed twice; list each photo once",
    },
    "alt-is-file-name": {
        "vi": '`alt` đang là tên tệp; mô tả những gì thấy trong ảnh, ví dụ "Chai rượu mơ màu '
        'hổ phách"',
        "en": "`alt` is just the file name; describe what the photo shows",
    },
    "unused-file": {
        "vi": "tệp `{value}` không được dùng trong `photos`; thêm vào `photos` hoặc xóa tệp",
        "en": "file `{value}` is not used in `photos`; list it under `photos` or delete it",
    },
    # --- lots (lots.csv beside product.yaml) and recalls -------------------------------------
    "lots-not-utf8": {
        "vi": "tệp không ở bảng mã UTF-8; trong Excel chọn Lưu thành… (Save As), kiểu tệp "
        '"CSV UTF-8 (Comma delimited) (*.csv)"',
        "en": 'the file is not UTF-8; in Excel use Save As with the file type "CSV UTF-8 '
        '(Comma delimited) (*.csv)"',
    },
    "lots-not-csv": {
        "vi": "tệp không phải bảng CSV (có thể là tệp Excel .xlsx/.xls); trong Excel chọn Lưu "
        'thành… (Save As), kiểu tệp "CSV UTF-8 (Comma delimited) (*.csv)", tên lots.csv',
        "en": "the file is no CSV table (perhaps an Excel .xlsx/.xls workbook); in Excel use Save "
        'As with the file type "CSV UTF-8 (Comma delimited) (*.csv)", named lots.csv',
    },
    "lots-quote": {
        "vi": 'dấu nháy kép " mở ở dòng này không được đóng, hoặc nằm giữa một ô; ô có dấu '
        'phẩy hay xuống dòng được đặt trong cặp nháy kép, dấu nháy trong ô viết hai lần ("")',
        "en": 'a double quote " opened on this line is never closed, or stands inside a cell; a '
        "cell holding a comma or a line break goes in double quotes, a quote inside it is "
        'written twice ("")',
    },
    "lots-empty": {
        "vi": "tệp rỗng; dòng đầu ghi tên các cột ({columns}), mỗi lô một dòng bên dưới; "
        "không có lô thì xóa tệp",
        "en": "the file is empty; the first line names the columns ({columns}), one lot per line "
        "below it; with no lots, delete the file",
    },
    "lots-semicolons": {
        "vi": "các cột ngăn bằng dấu chấm phẩy ;, cần dấu phẩy ,; trong Excel chọn Lưu thành… "
        '(Save As), kiểu tệp "CSV UTF-8 (Comma delimited) (*.csv)"',
        "en": "the columns are separated by semicolons ;, commas , are needed; in Excel use Save "
        'As with the file type "CSV UTF-8 (Comma delimited) (*.csv)"',
    },
    "lots-missing-column": {
        "vi": "thiếu cột bắt buộc `{column}` ({hint}); thêm tên cột vào dòng đầu và giá trị "
        "cho mỗi lô",
        "en": "required column `{column}` is missing ({hint}); add it to the first line and a "
        "value for each lot",
    },
    "lots-unknown-column": {
        "vi": "cột `{value}` không có trong mẫu{suggestion}; các cột: {allowed}",
        "en": "column `{value}` is not part of the table{suggestion}; the columns are: {allowed}",
    },
    "lots-unnamed-column": {
        "vi": "cột thứ {number} có dữ liệu nhưng không có tên; ghi tên cột ở dòng đầu (một "
        "trong: {allowed}) hoặc xóa cột",
        "en": "column {number} holds values but has no name; name it in the first line (one "
        "of: {allowed}) or delete it",
    },
    "lots-duplicate-column": {
        "vi": "cột `{value}` có hai lần (cột thứ {number} và thứ {other}); giữ một cột và xóa "
        "cột kia",
        "en": "column `{value}` appears twice (columns {number} and {other}); keep one and "
        "delete the other",
    },
    "lots-row-length": {
        "vi": "dòng có {count} ô nhưng dòng đầu có {expected} cột; ô có dấu phẩy phải đặt "
        'trong dấu nháy kép ("1,5 tấn"), ô trống vẫn cần dấu phẩy của nó',
        "en": "the line has {count} cells but the first line {expected} columns; a cell holding "
        'a comma goes in double quotes ("1,5 t"), an empty cell still needs its comma',
    },
    "required-cell": {
        "vi": "ô trống; cột `{column}` bắt buộc ({hint})",
        "en": "empty; column `{column}` is required ({hint})",
    },
    "lot-code": {
        "vi": "mã lô `{value}` {detail}: mã lô chỉ gồm chữ in hoa A-Z không dấu, chữ số 0-9, "
        "dấu gạch ngang - và dấu chấm ., bắt đầu bằng chữ hoặc số, tối đa 20 ký tự (để in, "
        "quét và làm địa chỉ web được){suggestion}",
        "en": "lot code `{value}` {detail}: a lot code holds only upper-case A-Z, digits 0-9, "
        "hyphens - and dots ., starts with a letter or digit and has at most 20 characters (so "
        "that it prints, scans and makes a web address){suggestion}",
    },
    "duplicate-lot": {
        "vi": "mã lô `{value}` đã có ở dòng {other}; mỗi lô một dòng với một mã riêng: sửa mã "
        "cho đúng như in trên bao bì, hoặc xóa dòng lặp",
        "en": "lot code `{value}` is already on line {other}; one line per lot, each with its "
        "own code: write the code as printed on the pack, or delete the repeated line",
    },
    "duplicate-lot-case": {
        "vi": "mã lô `{value}` trùng với `{first}` ở dòng {other} khi không phân biệt chữ "
        "hoa/thường và dấu cách (người mua gõ tay mã nào cũng đến cùng một trang); nếu là "
        "cùng một lô thì xóa dòng này, nếu không thì đặt mã khác, đúng như in trên bao bì",
        "en": "lot code `{value}` is the same as `{first}` on line {other} when case and spaces "
        "are ignored (a shopper typing either reaches the same page); if it is the same lot, "
        "delete this line, if not, give it another code, as printed on the pack",
    },
    "not-a-number": {
        "vi": "`{value}` không phải số; chỉ ghi số, dấu chấm cho phần thập phân, không ghi dấu "
        "phân cách hàng nghìn (ví dụ 1200 hoặc 12.5); đơn vị ghi ở cột unit",
        "en": "`{value}` is not a number; write digits only, a dot for decimals, no thousands "
        "separator (e.g. 1200 or 12.5); the unit goes in the unit column",
    },
    "lot-dates": {
        "vi": "hạn sử dụng {value} trước ngày sản xuất {other}; kiểm tra lại hai ngày (NSX ở "
        "cột produced, HSD ở cột use_by)",
        "en": "use-by date {value} is before the production date {other}; check both dates "
        "(production in produced, use-by in use_by)",
    },
    "unit-required": {
        "vi": "có số lượng {value} nhưng thiếu đơn vị; ghi đơn vị ở cột unit, ví dụ chai, hộp, kg",
        "en": "quantity {value} has no unit; write it in the unit column, e.g. bottles, boxes, kg",
    },
    "unknown-origin-commune": {
        "vi": "không có xã/phường mã `{value}` (mã sau sắp xếp 2025, 5 chữ số); tra mã bằng "
        "`ocop places <tên xã>`",
        "en": "no commune with code `{value}` (5-digit code since 2025); look it up with "
        "`ocop places <commune name>`",
    },
    "unknown-lot": {
        "vi": "không có lô `{value}` trong {file}{suggestion}; ghi mã một lô có trong tệp, hoặc "
        "bỏ `lots` nếu thu hồi cả sản phẩm",
        "en": "no lot `{value}` in {file}{suggestion}; write the code of a lot in that file, or "
        "leave `lots` out to recall the whole product",
    },
    "no-lots-file": {
        "vi": "thu hồi lô `{value}` nhưng sản phẩm chưa có tệp {file}; thêm lô vào tệp đó, hoặc "
        "bỏ `lots` nếu thu hồi cả sản phẩm",
        "en": "lot `{value}` is recalled but the product has no {file}; add the lot to that "
        "file, or leave `lots` out to recall the whole product",
    },
    # --- permanent addresses ---------------------------------------------------------------
    "published-product-missing": {
        "vi": "sản phẩm `{value}` đã công bố (có thể đã in mã QR) nhưng hồ sơ không còn; không "
        "xóa hay đổi mã: khôi phục hồ sơ và ghi `withdrawn:` với `date` và `reason`",
        "en": "product `{value}` was published (its QR may be printed) but its record is gone; "
        "never delete or rename: restore it and add `withdrawn:` with `date` and `reason`",
    },
    "published-lot-missing": {
        "vi": "lô `{value}` đã công bố (nhãn lô có thể đã in) nhưng không còn trong {file}; "
        "không xóa hay đổi mã lô đã công bố: khôi phục dòng của lô",
        "en": "lot `{value}` was published (its label may be printed) but is no longer in "
        "{file}; a published lot is never deleted or renamed: restore its line",
    },
    "published-recall-missing": {
        "vi": "đợt thu hồi `{value}` đã công bố nhưng không còn trong {file}; không bao giờ xóa "
        "hay đổi ngày một đợt thu hồi: khôi phục mục trong `recalls:`, và ghi `ended:` khi thu "
        "hồi kết thúc",
        "en": "recall `{value}` was published but is no longer in {file}; a recall is never "
        "deleted nor its date changed: restore it under `recalls:`, and write `ended:` when it "
        "is over",
    },
}
