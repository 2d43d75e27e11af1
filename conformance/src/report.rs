//! The report: a per-API table (cases, verdicts, rules covered, codes exercised), the
//! failures with what was expected, what came back, the row of the reference and a
//! ready-to-run `curl`, and the same as Markdown and JUnit XML for CI.

use std::fmt::Write as _;
use std::time::Duration;

use crate::coverage::Coverage;
use crate::docref;
use crate::result::{CaseResult, Verdict};
use crate::target::curl;

/// Everything a run produced.
#[derive(Debug, Clone)]
pub struct Report {
    /// What ran against (`embedded mock`, a URL…).
    pub target: String,
    /// Base URL the curl commands use.
    pub base: String,
    /// Every case.
    pub results: Vec<CaseResult>,
    /// Coverage.
    pub coverage: Coverage,
    /// Wall time of the whole run.
    pub elapsed: Duration,
    /// Of which: generating the platform cases, and sending them.
    pub phases: Option<(Duration, Duration)>,
    /// Of which: shrinking failed generated cases (time, requests sent), when any failed.
    pub shrinking: Option<Shrinking>,
    /// Seed of the generated cases.
    pub seed: u64,
}

/// What shrinking the failed generated cases cost: against a broken target it can send
/// many times the suite's own requests, so the summary says so.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Shrinking {
    /// Failed cases shrunk.
    pub cases: usize,
    /// Requests sent while shrinking.
    pub requests: u64,
    /// Time spent.
    pub elapsed: Duration,
}

impl Report {
    /// Failed cases.
    pub fn failures(&self) -> impl Iterator<Item = &CaseResult> {
        self.results.iter().filter(|r| r.verdict == Verdict::Failed)
    }

    /// Whether the run passes: no failure and complete coverage.
    pub fn passed(&self) -> bool {
        self.failures().next().is_none() && self.coverage.complete()
    }

    /// Cases per second.
    pub fn rate(&self) -> f64 {
        let sent = self
            .results
            .iter()
            .filter(|r| r.verdict != Verdict::Skipped)
            .count();
        sent as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    fn rows(&self) -> Vec<[String; 7]> {
        self.coverage
            .apis
            .iter()
            .map(|(api, a)| {
                let listed = |n: usize| {
                    if n > 0 {
                        format!(" (+{n} listed)")
                    } else {
                        String::new()
                    }
                };
                [
                    api.clone(),
                    a.run.to_string(),
                    a.passed.to_string(),
                    a.failed.to_string(),
                    a.skipped.to_string(),
                    format!(
                        "{}/{}{}",
                        a.rules_covered,
                        a.rules_total,
                        listed(a.rules_listed)
                    ),
                    if a.codes_total == 0 {
                        "-".into()
                    } else {
                        format!(
                            "{}/{}{}",
                            a.codes_exercised,
                            a.codes_total,
                            listed(a.codes_listed)
                        )
                    },
                ]
            })
            .collect()
    }

    const HEAD: [&'static str; 7] = [
        "API",
        "cases",
        "passed",
        "failed",
        "skipped",
        "rules covered",
        "codes exercised",
    ];

    /// The console report.
    pub fn text(&self) -> String {
        let rows = self.rows();
        let mut width = Self::HEAD.map(str::len);
        for r in &rows {
            for (w, c) in width.iter_mut().zip(r) {
                *w = (*w).max(c.chars().count());
            }
        }
        let line = |cells: &[String]| -> String {
            cells
                .iter()
                .zip(width)
                .map(|(c, w)| format!("{c:<w$}"))
                .collect::<Vec<_>>()
                .join("  ")
                .trim_end()
                .to_string()
        };
        let mut out = String::new();
        let _ = writeln!(
            out,
            "conformance against {} (seed {:#x})",
            self.target, self.seed
        );
        let _ = writeln!(out, "{}", line(&Self::HEAD.map(String::from)));
        for r in &rows {
            let _ = writeln!(out, "{}", line(r));
        }
        self.details(&mut out, false);
        out
    }

    fn details(&self, out: &mut String, md: bool) {
        let total = self.results.len();
        let failed = self.failures().count();
        let _ =
            writeln!(
            out,
            "\n{total} cases in {:.1} s ({:.0} cases/s): {} passed, {failed} failed, {} skipped",
            self.elapsed.as_secs_f64(),
            self.rate(),
            self.results.iter().filter(|r| r.verdict == Verdict::Passed).count(),
            self.results.iter().filter(|r| r.verdict == Verdict::Skipped).count(),
        );
        if let Some((generate, send)) = self.phases {
            let n = self
                .results
                .iter()
                .filter(|r| r.verdict != Verdict::Skipped && !r.id.starts_with("signing/"))
                .count();
            let _ = writeln!(
                out,
                "generating the operation cases took {:.2} s; sending and judging them {:.2} s ({:.0} cases/s)",
                generate.as_secs_f64(),
                send.as_secs_f64(),
                n as f64 / send.as_secs_f64().max(1e-9)
            );
        }
        if let Some(s) = self.shrinking.filter(|s| s.cases > 0) {
            let _ = writeln!(
                out,
                "shrinking {} failed case(s) took {:.2} s and {} more requests",
                s.cases,
                s.elapsed.as_secs_f64(),
                s.requests
            );
        }
        for f in self.failures() {
            let _ = writeln!(
                out,
                "\n{}FAILED {} / {}",
                if md { "### " } else { "" },
                f.api,
                f.id
            );
            let _ = writeln!(out, "  rule:     {}", docref::rule_name(f));
            let _ = writeln!(out, "  doc:      {}", f.doc);
            if let Some(spec) = docref::spec_source(f) {
                let _ = writeln!(out, "  spec:     {spec}");
            }
            if let Some(row) = docref::expected_row(&f.api, &f.expected) {
                let _ = writeln!(out, "  row:      {row}");
            }
            let _ = writeln!(out, "  expected: {}", f.expected);
            let _ = writeln!(out, "  actual:   {}", f.actual_text());
            if let Some(reason) = &f.actual.reason {
                let _ = writeln!(out, "  reason:   {reason}");
            }
            if let Some(note) = &f.note {
                let _ = writeln!(out, "  note:     {note}");
            }
            let cmd = curl(&self.base, &f.request);
            if md {
                let _ = writeln!(out, "\n```sh\n{cmd}\n```");
            } else {
                let _ = writeln!(out, "  replay:   {cmd}");
            }
        }
        let c = &self.coverage;
        for (api, rule) in &c.missing_rules {
            let _ = writeln!(out, "UNCOVERED rule {api} {rule}: no case exercised it and it is not listed with a reason");
        }
        for (api, code) in &c.missing_codes {
            let _ = writeln!(out, "UNCOVERED code {api} {code}: no case exercised it and it is not listed with a reason");
        }
        for (api, code) in &c.listed_but_exercised {
            let _ = writeln!(out, "LISTED code {api} {code} was exercised: remove it from the list of unreachable codes");
        }
        let _ = writeln!(out, "\n{}", if self.passed() { "PASSED" } else { "FAILED" });
    }

    /// The report as Markdown.
    pub fn markdown(&self) -> String {
        let mut out = format!(
            "# Conformance against {}\n\nSeed `{:#x}`.\n\n",
            self.target, self.seed
        );
        let _ = writeln!(out, "| {} |", Self::HEAD.join(" | "));
        let _ = writeln!(out, "|{}|", Self::HEAD.map(|_| "---").join("|"));
        for r in self.rows() {
            let _ = writeln!(out, "| {} |", r.join(" | "));
        }
        self.details(&mut out, true);
        out
    }

    /// The report as JUnit XML: one test suite per API, one test case per case.
    pub fn junit(&self) -> String {
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"voicecall-conformance\">\n");
        for (api, a) in &self.coverage.apis {
            let _ = writeln!(
                out,
                "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" skipped=\"{}\">",
                xml(api),
                a.run + a.skipped,
                a.failed,
                a.skipped
            );
            for r in self.results.iter().filter(|r| &r.api == api) {
                let _ = write!(
                    out,
                    "    <testcase classname=\"{}\" name=\"{}\"",
                    xml(api),
                    xml(&r.id)
                );
                match r.verdict {
                    Verdict::Passed => out.push_str("/>\n"),
                    Verdict::Skipped => {
                        let _ = writeln!(
                            out,
                            "><skipped message=\"{}\"/></testcase>",
                            xml(r.note.as_deref().unwrap_or(""))
                        );
                    }
                    Verdict::Failed => {
                        let mut body = format!("rule: {}\ndoc: {}", docref::rule_name(r), r.doc);
                        if let Some(spec) = docref::spec_source(r) {
                            let _ = write!(body, "\nspec: {spec}");
                        }
                        if let Some(row) = docref::expected_row(&r.api, &r.expected) {
                            let _ = write!(body, "\nrow: {row}");
                        }
                        let _ = writeln!(
                            out,
                            "><failure message=\"expected {}, got {}\">{}\n{}</failure></testcase>",
                            xml(&r.expected.to_string()),
                            xml(&r.actual_text()),
                            xml(&body),
                            xml(&curl(&self.base, &r.request))
                        );
                    }
                }
            }
            out.push_str("  </testsuite>\n");
        }
        let c = &self.coverage;
        if !c.complete() {
            out.push_str("  <testsuite name=\"coverage\" tests=\"1\" failures=\"1\">\n    <testcase classname=\"coverage\" name=\"complete\"><failure message=\"coverage incomplete\">");
            for (api, x) in c
                .missing_rules
                .iter()
                .chain(&c.missing_codes)
                .chain(&c.listed_but_exercised)
            {
                let _ = writeln!(out, "{} {}", xml(api), xml(x));
            }
            out.push_str("</failure></testcase>\n  </testsuite>\n");
        }
        out.push_str("</testsuites>\n");
        out
    }
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
