//! Extraction: every table and example of a text export of the reference, with its
//! table number and line. Knows nothing of the spec.
//!
//! The export has tables as tab-separated rows under `表 N-M title` headings (the
//! appendix and the revision history under their section headings `7.1 …`, `8 …`), a
//! header row that is repeated where the PDF broke a page, blank lines between pages,
//! names broken by stray spaces (`recordHintTo ne`), HTML fragments in descriptions and
//! examples in ``` fences. A table's block ends at the first non-blank line without a tab.
//! Cells are kept as printed; the extractor never panics, whatever the text.

use std::sync::OnceLock;

use regex::Regex;

/// Everything extracted from one text of the reference.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extracted {
    /// Parameter tables (header starts with 参数名称).
    pub param_tables: Vec<ParamTable>,
    /// Result-code tables (header starts with 响应码).
    pub code_tables: Vec<CodeTable>,
    /// The appendix tables of §7.1, §7.2 and §7.3.
    pub appendix: Vec<AppendixTable>,
    /// Other numbered tables (API overview, time formats, interface types), cells as printed.
    pub literal_tables: Vec<LiteralTable>,
    /// The revision history of §8 (table number `8`), if present.
    pub revisions: Option<LiteralTable>,
    /// Every fenced example, in order.
    pub examples: Vec<Example>,
    /// Section headings (`4.2`, `7`, …) with their lines.
    pub sections: Vec<(String, usize)>,
    /// The text's lines (for locating examples); `lines[0]` is line 1.
    pub lines: Vec<String>,
}

/// A parameter table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamTable {
    /// Table number without 表, e.g. `4-3`.
    pub table: String,
    /// Title as printed.
    pub title: String,
    /// Section the table stands in.
    pub section: String,
    /// Line of the `表` heading.
    pub line: usize,
    /// Column headings as printed.
    pub columns: Vec<String>,
    /// Whether the table has a 默认值 column.
    pub has_default: bool,
    /// Rows in order.
    pub rows: Vec<ParamRow>,
}

/// A row of a parameter table, cells as printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamRow {
    /// 参数名称 as printed (may contain stray spaces).
    pub name: String,
    /// 是否必选 / 是否必须 (`是`, `否`).
    pub required: String,
    /// 参数类型, e.g. `String(1 -256)`.
    pub ty: String,
    /// 默认值, when the table has the column.
    pub default: Option<String>,
    /// 说明 / 描述, with its HTML.
    pub description: String,
    /// Line in the text.
    pub line: usize,
}

impl ParamRow {
    /// The name without the stray white space of the export (`recordHintTo ne` → `recordHintTone`).
    pub fn clean_name(&self) -> String {
        self.name.split_whitespace().collect()
    }
}

/// A result-code table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeTable {
    /// Table number, e.g. `4-5`.
    pub table: String,
    /// Title as printed.
    pub title: String,
    /// Section.
    pub section: String,
    /// Line of the heading.
    pub line: usize,
    /// Rows in order.
    pub rows: Vec<CodeRow>,
}

/// A row of a result-code table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeRow {
    /// 响应码, carried down from the row above where the cell is blank.
    pub status: String,
    /// 结果码 as printed (may contain a stray space: `102017 1`).
    pub code: String,
    /// 英文描述.
    pub english: String,
    /// 中文描述.
    pub chinese: String,
    /// 处理方法.
    pub remedy: String,
    /// Line in the text.
    pub line: usize,
    /// The cells exactly as printed (before a shifted row is read back into place).
    pub printed: Vec<String>,
}

/// A three-digit HTTP status.
fn is_status(s: &str) -> bool {
    s.len() == 3 && s.bytes().all(|b| b.is_ascii_digit())
}

/// A result code: six or more digits (stray spaces aside).
fn is_code(s: &str) -> bool {
    let c: String = s.split_whitespace().collect();
    c.len() >= 6 && c.bytes().all(|b| b.is_ascii_digit())
}

impl CodeRow {
    /// The code without stray white space.
    pub fn clean_code(&self) -> String {
        self.code.split_whitespace().collect()
    }
}

/// An appendix table (§7.1–7.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppendixTable {
    /// Section, e.g. `7.1`.
    pub section: String,
    /// Title as printed.
    pub title: String,
    /// Line of the section heading.
    pub line: usize,
    /// Column headings.
    pub columns: Vec<String>,
    /// Rows: code column as printed, description, line.
    pub rows: Vec<AppendixRow>,
}

/// A row of an appendix table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppendixRow {
    /// The code column as printed (`8001`, `400~699`).
    pub code: String,
    /// The description column.
    pub description: String,
    /// Line in the text.
    pub line: usize,
}

/// A table kept cell by cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiteralTable {
    /// Table number (`2-1`, `4-2`) or section for the revision history (`8`).
    pub table: String,
    /// Title as printed.
    pub title: String,
    /// Section.
    pub section: String,
    /// Line of the heading.
    pub line: usize,
    /// Column headings, empty when the table prints none (interface-type tables).
    pub columns: Vec<String>,
    /// Rows: cells and line.
    pub rows: Vec<(Vec<String>, usize)>,
}

/// A fenced example.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    /// Section it stands in.
    pub section: String,
    /// Line of the opening fence.
    pub line: usize,
    /// The lines between the fences.
    pub text: String,
}

fn table_heading() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| Regex::new(r"^表\s*(\d+-\d+)\s*(.*?)\s*$").expect("valid regex"))
}

fn section_heading() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| Regex::new(r"^(\d{1,2}(?:\.\d{1,2})?) +(\S.*?)\s*$").expect("valid regex"))
}

/// First cells of header rows, by kind of table.
const PARAM_HEADER: &str = "参数名称";
const CODE_HEADER: &str = "响应码";

fn cells(line: &str) -> Vec<String> {
    line.split('\t').map(|c| c.trim().to_string()).collect()
}

/// A table block: header (if the first row looks like one), rows with lines.
struct Block {
    header: Vec<String>,
    rows: Vec<(Vec<String>, usize)>,
    /// Index of the first line after the block.
    end: usize,
}

/// Whether a row is a heading row (first cell a known column heading).
fn is_header(cells: &[String]) -> bool {
    const HEADS: [&str; 9] = [
        PARAM_HEADER,
        CODE_HEADER,
        "编程语言",
        "业务",
        "通话挂机原因值",
        "原因值",
        "拆线点",
        "发布日期",
        "项目",
    ];
    cells.first().is_some_and(|c| HEADS.contains(&c.as_str()))
}

/// Reads the table that starts at `start` (after blank lines): tab lines, blank lines
/// skipped, repeated header rows dropped; ends at a non-blank line without a tab.
fn read_block(lines: &[String], start: usize) -> Block {
    let mut header = Vec::new();
    let mut rows = Vec::new();
    let mut i = start;
    while i < lines.len() {
        let l = &lines[i];
        if l.trim().is_empty() {
            i += 1;
            continue;
        }
        if !l.contains('\t') {
            break;
        }
        let c = cells(l);
        if is_header(&c) {
            if header.is_empty() && rows.is_empty() {
                header = c;
            } else if c != header {
                // A different header: another table starts without a heading.
                break;
            }
        } else {
            rows.push((c, i + 1));
        }
        i += 1;
    }
    // Trailing blank lines belong to no table.
    Block {
        header,
        rows,
        end: i,
    }
}

fn column(header: &[String], names: &[&str]) -> Option<usize> {
    header.iter().position(|h| names.contains(&h.as_str()))
}

fn cell(row: &[String], i: Option<usize>) -> String {
    i.and_then(|i| row.get(i)).cloned().unwrap_or_default()
}

/// Extracts every table and example of `text`. Total: never panics.
pub fn extract(text: &str) -> Extracted {
    let lines: Vec<String> = text
        .lines()
        .map(|l| l.trim_end_matches('\r').to_string())
        .collect();
    let mut out = Extracted::default();
    let mut section = String::new();
    let mut i = 0;
    while i < lines.len() {
        let line = &lines[i];
        let lineno = i + 1;
        if line.starts_with("```") {
            let mut j = i + 1;
            let mut body = Vec::new();
            while j < lines.len() && !lines[j].starts_with("```") {
                body.push(lines[j].as_str());
                j += 1;
            }
            out.examples.push(Example {
                section: section.clone(),
                line: lineno,
                text: body.join("\n"),
            });
            i = j + 1;
            continue;
        }
        if !line.contains('\t') && !line.contains(".....") {
            if let Some(c) = section_heading().captures(line) {
                let number = c[1].to_string();
                let title = c[2].to_string();
                section = number.clone();
                out.sections.push((number.clone(), lineno));
                let appendix = matches!(number.as_str(), "7.1" | "7.2" | "7.3");
                if appendix || number == "8" {
                    let b = read_block(&lines, i + 1);
                    if appendix {
                        let rows = b
                            .rows
                            .iter()
                            .map(|(c, l)| AppendixRow {
                                code: c.first().cloned().unwrap_or_default(),
                                description: c.get(1..).map(|r| r.join("\t")).unwrap_or_default(),
                                line: *l,
                            })
                            .collect();
                        out.appendix.push(AppendixTable {
                            section: number,
                            title,
                            line: lineno,
                            columns: b.header,
                            rows,
                        });
                    } else {
                        out.revisions = Some(LiteralTable {
                            table: number.clone(),
                            title,
                            section: number,
                            line: lineno,
                            columns: b.header,
                            rows: b.rows,
                        });
                    }
                    i = b.end.max(i + 1);
                    continue;
                }
                i += 1;
                continue;
            }
        }
        if let Some(c) = table_heading().captures(line) {
            let table = c[1].to_string();
            let title = c[2].to_string();
            let b = read_block(&lines, i + 1);
            let first = b.header.first().map(String::as_str);
            if first == Some(PARAM_HEADER) {
                let h = &b.header;
                let name = column(h, &[PARAM_HEADER]);
                let req = column(h, &["是否必选", "是否必须"]);
                let ty = column(h, &["参数类型"]);
                let def = column(h, &["默认值"]);
                let desc = column(h, &["说明", "描述"]);
                let rows = b
                    .rows
                    .iter()
                    .map(|(r, l)| ParamRow {
                        name: cell(r, name),
                        required: cell(r, req),
                        ty: cell(r, ty),
                        default: def.map(|_| cell(r, def)),
                        // A description with a tab of its own keeps the rest of the row.
                        description: desc
                            .and_then(|d| r.get(d..))
                            .map(|x| x.join("\t"))
                            .unwrap_or_default(),
                        line: *l,
                    })
                    .collect();
                out.param_tables.push(ParamTable {
                    table,
                    title,
                    section: section.clone(),
                    line: lineno,
                    columns: b.header.clone(),
                    has_default: def.is_some(),
                    rows,
                });
            } else if first == Some(CODE_HEADER) {
                let mut status = String::new();
                let rows = b
                    .rows
                    .iter()
                    .map(|(r, l)| {
                        let r_printed = r;
                        // A row shifted one column right (blank status, an HTTP status in
                        // the code column, a code in the English column) is read shifted
                        // back, and its status is carried down like any other.
                        let shifted = cell(r, Some(0)).is_empty()
                            && is_status(&cell(r, Some(1)))
                            && is_code(&cell(r, Some(2)));
                        let r: &[String] = if shifted { &r[1..] } else { r };
                        let s = cell(r, Some(0));
                        if !s.is_empty() {
                            status = s;
                        }
                        CodeRow {
                            status: status.clone(),
                            code: cell(r, Some(1)),
                            english: cell(r, Some(2)),
                            chinese: cell(r, Some(3)),
                            remedy: r.get(4..).map(|x| x.join("\t")).unwrap_or_default(),
                            line: *l,
                            printed: r_printed.clone(),
                        }
                    })
                    .collect();
                out.code_tables.push(CodeTable {
                    table,
                    title,
                    section: section.clone(),
                    line: lineno,
                    rows,
                });
            } else {
                // In a two-column table a row with a blank first cell continues the
                // cell above (the note under a time format).
                let mut rows: Vec<(Vec<String>, usize)> = Vec::new();
                for (r, l) in b.rows {
                    let continues = r.len() == 2 && r[0].is_empty() && b.header.len() <= 2;
                    match rows.last_mut() {
                        Some((prev, _)) if continues => {
                            if let Some(last) = prev.last_mut() {
                                last.push(' ');
                                last.push_str(&r[1]);
                            }
                        }
                        _ => rows.push((r, l)),
                    }
                }
                out.literal_tables.push(LiteralTable {
                    table,
                    title,
                    section: section.clone(),
                    line: lineno,
                    columns: b.header,
                    rows,
                });
            }
            i = b.end.max(i + 1);
            continue;
        }
        i += 1;
    }
    out.lines = lines;
    out
}

impl Extracted {
    /// Rows of all parameter tables.
    pub fn param_rows(&self) -> usize {
        self.param_tables.iter().map(|t| t.rows.len()).sum()
    }

    /// Rows of all result-code tables whose status is not a success (2xx, 3xx).
    pub fn failure_code_rows(&self) -> usize {
        self.code_tables
            .iter()
            .flat_map(|t| &t.rows)
            .filter(|r| r.status.trim().parse::<u16>().map_or(true, |s| s >= 400))
            .count()
    }

    /// Whether the text looks like this reference at all: some parameter and code tables.
    pub fn looks_like_reference(&self) -> bool {
        !self.param_tables.is_empty() && !self.code_tables.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/seeds/000_f5225a148c33d089.txt"
    );

    #[test]
    fn counts_on_the_seed_are_those_spec_readme_states() {
        let Ok(text) = std::fs::read_to_string(SEED) else {
            eprintln!("skipped: {SEED} is not present");
            return;
        };
        let x = extract(&text);
        // spec/README.md: 49 parameter tables with 266 rows, 5 result-code tables with
        // 241 non-success rows, appendix 29 + 70 + 101.
        assert_eq!(x.param_tables.len(), 49);
        assert_eq!(x.param_rows(), 266);
        assert_eq!(x.code_tables.len(), 5);
        assert_eq!(x.failure_code_rows(), 241);
        let appendix: Vec<(&str, usize)> = x
            .appendix
            .iter()
            .map(|t| (t.section.as_str(), t.rows.len()))
            .collect();
        assert_eq!(appendix, [("7.1", 29), ("7.2", 70), ("7.3", 101)]);
        // 18 numbered literal tables (2-1, 11 time formats, 6 interface types) and §8.
        assert_eq!(x.literal_tables.len(), 18);
        assert_eq!(x.revisions.as_ref().map(|r| r.rows.len()), Some(3));
    }

    #[test]
    fn rows_split_over_pages_stray_spaces_and_carried_statuses() {
        let text = "4.2 语音回呼\n\n表 4-3 请求 Body 参数说明\n\n参数名称\t是否必选\t参数类型\t默认值\t说明\n\
                    a\t是\tString(1 -128)\t无\t<p>x</p>\n\n参数名称\t是否必选\t参数类型\t默认值\t说明\n\
                    recordHintTo ne\t否\tString（枚举）\tfalse\t<p>y</p> <ul><li>• z</li></ul>\n\n响应参数\n\n\
                    表 4-5 结果码说明\n\n响应码\t结果码\t英文描述\t中文描述\t处理方法\n200\t0\tSuccess.\t成功。\t无需处理。\n\
                    400\t1023006\tA\tB\tC\n\t102017 1\tD\tE\tF\n\n响应码\t结果码\t英文描述\t中文描述\t处理方法\n\t1023007\tG\tH\t\n";
        let x = extract(text);
        let t = &x.param_tables[0];
        assert_eq!(
            (t.table.as_str(), t.section.as_str(), t.line),
            ("4-3", "4.2", 3)
        );
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[1].clean_name(), "recordHintTone");
        assert_eq!(t.rows[1].ty, "String（枚举）");
        assert_eq!(t.rows[1].line, 9);
        let c = &x.code_tables[0];
        assert_eq!(c.rows.len(), 4);
        assert_eq!(c.rows[2].status, "400");
        assert_eq!(c.rows[2].clean_code(), "1020171");
        assert_eq!(c.rows[3].status, "400");
        assert_eq!(c.rows[3].remedy, "");
    }
}
