//! The program model: the typed, validated content of `closeout.toml`.
//!
//! Values here are already checked (vocabularies, references, durations); see
//! `config` for how they are read and what is rejected.

use std::path::PathBuf;
use std::time::Duration;

use crate::vocab::vocab;

vocab!(
    /// Where a packet stands on the board.
    PacketStatus {
        Todo = "TODO",
        /// Planned, not started (trackers that say PENDING rather than TODO).
        Pending = "PENDING",
        InProgress = "IN_PROGRESS",
        /// Implemented, waiting for its review.
        InReview = "IN_REVIEW",
        ChangesRequested = "CHANGES_REQUESTED",
        Blocked = "BLOCKED",
        Done = "DONE",
    }
);

vocab!(
    /// The reviewer's state for a packet.
    ReviewState {
        Pending = "PENDING",
        /// The reviewer is looking at it.
        InReview = "IN_REVIEW",
        Approved = "APPROVED",
        ChangesRequested = "CHANGES_REQUESTED",
        Blocked = "BLOCKED",
    }
);

vocab!(
    /// The drift taxonomy for an upstream track.
    Classification {
        Matched = "MATCHED",
        DriftAccepted = "DRIFT_ACCEPTED",
        DriftFixRequired = "DRIFT_FIX_REQUIRED",
        Deferred = "DEFERRED",
    }
);

vocab!(
    /// Severity of a risk or a debt item.
    Severity {
        High = "HIGH",
        Medium = "MEDIUM",
        Low = "LOW",
    }
);

vocab!(
    /// Whether a debt item is still owed.
    DebtStatus {
        Open = "open",
        Resolved = "resolved",
    }
);

vocab!(
    /// Which output parser reads a gate's log.
    ParserKind {
        Auto = "auto",
        Go = "go",
        GoJson = "go-json",
        Cargo = "cargo",
        Nextest = "nextest",
        Vitest = "vitest",
        Jest = "jest",
        Pytest = "pytest",
        Tsc = "tsc",
        NodeTest = "node-test",
        Mocha = "mocha",
        Unittest = "unittest",
        None = "none",
    }
);

vocab!(
    /// The reviewer's behavioural judgement of a packet (gate P1).
    Judgement {
        Pass = "PASS",
        Fail = "FAIL",
        NotApplicable = "N/A",
    }
);

/// The consistency rules `verify-docs` checks; each can be waived with a reason.
pub const RULES: &[&str] = &[
    "done-open-box",
    "done-not-approved",
    "done-missing-exit-code",
    "done-commit",
    "unknown-commit",
    "placeholder",
    "deferred-uncovered",
    "residual-risk-uncovered",
    "coverage-mismatch",
    "debt-incomplete",
    "missing-path",
    "verdict-current",
];

/// A whole program, as loaded from one `closeout.toml`.
#[derive(Debug, Clone)]
pub struct Program {
    /// The folder holding `closeout.toml`; every path in the model is relative to it.
    pub root: PathBuf,
    pub name: String,
    pub docs: Vec<PathBuf>,
    pub run: RunSettings,
    pub gates: Vec<Gate>,
    pub tracks: Vec<Track>,
    pub packets: Vec<Packet>,
    pub risks: Vec<Risk>,
    pub debts: Vec<Debt>,
    pub paths: PathRules,
    pub waivers: Vec<Waiver>,
}

/// Repo paths the docs may name although they no longer exist.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PathRules {
    /// Old path → new path.
    pub moved: Vec<(String, String)>,
    pub removed: Vec<String>,
}

/// A consistency finding accepted on purpose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiver {
    pub rule: String,
    /// What the finding is about: a packet id, a track id, a debt id, a path or a file.
    pub subject: String,
    pub reason: String,
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunSettings {
    /// Parallel gates; 0 means all available cores.
    pub jobs: usize,
    pub timeout: Duration,
    pub grace: Duration,
    /// A committed run record accepted as the performance reference.
    pub reference: Option<String>,
}

impl Default for RunSettings {
    fn default() -> Self {
        RunSettings {
            jobs: 0,
            timeout: Duration::from_secs(20 * 60),
            grace: Duration::from_secs(10),
            reference: None,
        }
    }
}

/// One command of the global validation baseline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gate {
    pub id: String,
    pub run: String,
    pub timeout: Option<Duration>,
    pub parser: ParserKind,
    pub exclusive: Option<String>,
    pub known_failure: Option<String>,
    /// Allowed slowdown against the reference run, in percent; `Some(None)` for
    /// `tolerance = "off"`: the duration is shown but is no performance signal (an
    /// incremental build takes as long as what changed).
    pub tolerance: Option<Option<u32>>,
    /// Why a lower test count than the reference's is intended.
    pub count_decrease_reason: Option<String>,
    /// `false` for a gate whose command came from an imported document and that nobody
    /// has confirmed yet: `baseline` refuses to run it (`trusted = false` in closeout.toml).
    pub trusted: bool,
    /// How many times a failed attempt is run again (`retries = N`, at most
    /// [`crate::config::MAX_RETRIES`]; 0 by default). A gate that fails and then passes
    /// is `FLAKY`.
    pub retries: u32,
    /// Run only when asked (`baseline --when`, `--all`): the condition as the plan
    /// words it ("when API handlers are touched"). The verdict does not require it.
    pub when: Option<String>,
    /// 1-based line of the gate's `[[gate]]` header.
    pub line: usize,
}

/// An upstream plan being certified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Track {
    pub id: String,
    pub name: String,
    pub plan: Option<String>,
    pub progress: Option<String>,
    pub plan_status: Option<String>,
    pub progress_status: Option<String>,
    pub classification: Classification,
    pub checkpoint: Option<String>,
    pub notes: Option<String>,
    /// Columns of the doc's own table that closeout has no key for: header →
    /// the cell's markdown, kept so the region regenerates in the doc's layout.
    pub columns: Vec<(String, String)>,
    pub line: usize,
}

/// A required test of a packet: a gate of the baseline, or a literal command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TestRef {
    Gate(String),
    Command(String),
}

impl TestRef {
    /// A string containing whitespace is a command; anything else names a gate.
    pub fn from_spec(spec: &str) -> TestRef {
        if spec.chars().any(char::is_whitespace) {
            TestRef::Command(spec.to_string())
        } else {
            TestRef::Gate(spec.to_string())
        }
    }
}

/// A unit of closeout work with its review state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packet {
    pub id: String,
    pub title: String,
    pub status: PacketStatus,
    pub review: ReviewState,
    /// Whether closeout.toml states the review (a tracker without a review column does not).
    pub review_stated: bool,
    pub implementer: Option<String>,
    pub reviewer: Option<String>,
    pub scope: Vec<String>,
    pub tests: Vec<TestRef>,
    pub commit: Option<String>,
    pub residual_risk: Vec<String>,
    pub rollback: Vec<String>,
    pub files: Vec<FileChange>,
    pub p1: Option<Judgement>,
    pub p1_reason: Option<String>,
    /// The tracker's checklist boxes, as imported: `[x] text` or `[ ] text`.
    pub checklist: Vec<String>,
    /// Columns of the doc's own table that closeout has no key for: header →
    /// the cell's markdown, kept so the region regenerates in the doc's layout.
    pub columns: Vec<(String, String)>,
    pub line: usize,
}

impl Packet {
    /// Residual risks that are real risks, not "None".
    pub fn open_residual_risks(&self) -> Vec<&str> {
        self.residual_risk
            .iter()
            .map(String::as_str)
            .filter(|r| {
                let r = r.trim().trim_end_matches('.').to_ascii_lowercase();
                !(r.is_empty() || r == "none" || r.starts_with("none.") || r.starts_with("none "))
            })
            .collect()
    }
}

/// A file a packet changed, with why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    pub path: String,
    pub reason: Option<String>,
}

/// What a debt item covers: a track (by id) or a packet's residual risk (by packet id).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Coverage {
    Track(String),
    Packet(String),
}

/// A row of the risk register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Risk {
    pub id: String,
    pub surface: Option<String>,
    pub description: String,
    /// `None` when the register has no severity column.
    pub severity: Option<Severity>,
    pub packets: Vec<String>,
    pub mitigation: Option<String>,
    /// `form = "list"` or `"earlier-table"`: the docs keep this risk outside the risk
    /// table the `risks` region owns (in a numbered list, or only in an earlier table of
    /// the register that a later one updates), so the region does not show it. Named for
    /// the first of these forms: the name is part of the verdict's fingerprint
    /// (`verdict::fingerprint`), so recorded verdicts stay current.
    pub listed: bool,
    /// Columns of the doc's own table that closeout has no key for: header →
    /// the cell's markdown, kept so the region regenerates in the doc's layout.
    pub columns: Vec<(String, String)>,
    pub line: usize,
}

impl Risk {
    /// `form` of a risk the docs keep in a numbered list.
    pub const FORM_LIST: &'static str = "list";
    /// `form` of a risk only an earlier table of the register shows (a later table, the
    /// region's, updates the register and does not repeat it).
    pub const FORM_EARLIER_TABLE: &'static str = "earlier-table";
}

/// A row of the debt ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Debt {
    pub id: String,
    pub description: String,
    pub severity: Option<Severity>,
    pub owner: Option<String>,
    pub milestone: Option<String>,
    pub source: Option<String>,
    pub blocks_release: bool,
    pub status: DebtStatus,
    pub resolution: Option<String>,
    pub covers: Vec<Coverage>,
    /// Columns of the doc's own table that closeout has no key for: header →
    /// the cell's markdown, kept so the region regenerates in the doc's layout.
    pub columns: Vec<(String, String)>,
    pub line: usize,
}

impl Debt {
    /// The item as `status --json` and `ledger --json` print it.
    pub fn to_json(&self) -> serde_json::Value {
        use crate::vocab::Vocab;
        serde_json::json!({
            "id": self.id,
            "description": self.description,
            "severity": self.severity.map(|s| s.as_str()),
            "owner": self.owner,
            "milestone": self.milestone,
            "source": self.source,
            "status": self.status.as_str(),
            "resolution": self.resolution,
            "release_blocker": self.is_release_blocker(),
        })
    }

    /// Open and either flagged `blocks_release` or due `Pre-release`.
    pub fn is_release_blocker(&self) -> bool {
        self.status == DebtStatus::Open
            && (self.blocks_release
                || self.milestone.as_deref().is_some_and(|m| m.eq_ignore_ascii_case("pre-release")))
    }
}

impl Program {
    pub fn gate(&self, id: &str) -> Option<&Gate> {
        self.gates.iter().find(|g| g.id == id)
    }

    pub fn packet(&self, id: &str) -> Option<&Packet> {
        match self.packets.binary_search_by(|p| p.id.as_str().cmp(id)) {
            // Packets are usually listed in id order; fall back to a scan when not.
            Ok(i) => Some(&self.packets[i]),
            Err(_) => self.packets.iter().find(|p| p.id == id),
        }
    }

    pub fn track(&self, id: &str) -> Option<&Track> {
        self.tracks.iter().find(|t| t.id == id)
    }

    /// Whether a finding of `rule` about `subject` is waived.
    pub fn waived(&self, rule: &str, subject: &str) -> Option<&Waiver> {
        self.waivers.iter().find(|w| w.rule == rule && w.subject == subject)
    }

    /// The open debt item a gate's known failure names, if it names one that is open.
    pub fn open_known_failure(&self, known_failure: Option<&String>) -> Option<&Debt> {
        known_failure.and_then(|id| self.debt(id)).filter(|d| d.status == DebtStatus::Open)
    }

    pub fn debt(&self, id: &str) -> Option<&Debt> {
        self.debts.iter().find(|d| d.id == id)
    }

    /// Open debt with pre-release blockers first, each group in ledger order.
    pub fn open_debt(&self) -> Vec<&Debt> {
        let mut open: Vec<&Debt> = self.debts.iter().filter(|d| d.status == DebtStatus::Open).collect();
        open.sort_by_key(|d| !d.is_release_blocker());
        open
    }
}
