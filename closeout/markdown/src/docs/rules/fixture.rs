//! Fixtures for the rules' unit tests: a program from a closeout.toml snippet, documents
//! from markdown snippets, and an oracle that knows the commits and paths it is told.

use std::collections::BTreeMap;
use std::path::Path;

use super::{Checked, Context, Doc, Finding, Oracle, Rule};
use crate::docs::generate::Evidence;
use crate::model::Program;

/// One rule's input: closeout.toml, the docs, and what git and the file system know.
pub struct Fixture {
    toml: String,
    docs: Vec<(String, String)>,
    commits: Option<Vec<String>>,
    paths: Vec<String>,
}

/// `[program]` with one doc, `plan.md`; append packets, tracks, debt.
pub const PROGRAM: &str = "[program]\nname = \"fixture\"\ndocs = [\"plan.md\"]\n";

impl Fixture {
    /// A program: [`PROGRAM`] followed by `toml`. Git knows no commit; no path exists.
    pub fn new(toml: &str) -> Fixture {
        Fixture { toml: format!("{PROGRAM}{toml}"), docs: vec![], commits: Some(vec![]), paths: vec![] }
    }

    pub fn doc(mut self, path: &str, text: &str) -> Fixture {
        self.docs.push((path.to_string(), text.to_string()));
        self
    }

    /// Commits git history holds.
    pub fn commits(mut self, commits: &[&str]) -> Fixture {
        self.commits = Some(commits.iter().map(|c| c.to_string()).collect());
        self
    }

    /// No git history to ask.
    pub fn no_history(mut self) -> Fixture {
        self.commits = None;
        self
    }

    /// Paths that exist in the repository.
    pub fn paths(mut self, paths: &[&str]) -> Fixture {
        self.paths = paths.iter().map(|p| p.to_string()).collect();
        self
    }

    pub fn program(&self) -> Program {
        crate::config::parse(&self.toml, Path::new("closeout.toml"), Path::new("/repo"), &|_| true)
            .unwrap_or_else(|e| panic!("fixture program: {e}\n{}", self.toml))
    }

    /// Every rule's findings, waivers applied.
    pub fn check_all(&self) -> Checked {
        let program = self.program();
        let docs: Vec<Doc> = self.docs.iter().map(|(p, t)| Doc { path: p, text: t }).collect();
        self.with_oracle(|evidence, oracle| super::check(&program, "closeout.toml", &docs, evidence, oracle))
    }

    fn with_oracle<T>(&self, f: impl FnOnce(Evidence, &Oracle) -> T) -> T {
        let packets = BTreeMap::new();
        let commit_exists = |c: &str| self.commits.as_ref().map(|known| known.iter().any(|k| k == c));
        let path_exists = |p: &str| self.paths.iter().any(|k| k == p);
        f(Evidence::new(None, &packets), &Oracle { commit_exists: &commit_exists, path_exists: &path_exists })
    }

    /// The findings of `rule` alone.
    pub fn check(&self, rule: &Rule) -> Vec<Finding> {
        let program = self.program();
        let docs: Vec<Doc> = self.docs.iter().map(|(p, t)| Doc { path: p, text: t }).collect();
        let found = self.with_oracle(|evidence, oracle| {
            (rule.check)(&Context::new(&program, "closeout.toml", &docs, evidence, oracle))
        });
        for f in &found {
            assert_eq!(f.rule, rule.id, "a rule reports findings under its own id");
        }
        found
    }

    /// The findings of `rule`, as `subject@file:line`.
    pub fn found(&self, rule: &Rule) -> Vec<String> {
        self.check(rule).iter().map(|f| format!("{}@{}:{}", f.subject, f.file, f.line)).collect()
    }
}
