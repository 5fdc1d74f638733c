//! Reporters: everything that turns engine data into text for a person or a machine.
//! The engine never prints; these functions return strings or write to a given sink.

pub mod baseline;
pub mod docs;
pub mod github;
pub mod history;
pub mod html;
pub mod junit;
pub mod status;
pub mod table;

/// Terminal styling, enabled only on a TTY without `NO_COLOR`, or when forced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
}

impl Style {
    pub fn paint(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
    pub fn bold(self, text: &str) -> String {
        self.paint("1", text)
    }
    pub fn green(self, text: &str) -> String {
        self.paint("32", text)
    }
    pub fn red(self, text: &str) -> String {
        self.paint("31", text)
    }
    pub fn yellow(self, text: &str) -> String {
        self.paint("33", text)
    }
    pub fn dim(self, text: &str) -> String {
        self.paint("2", text)
    }
    /// A verdict level in its colour: GO green, GO with conditions yellow, NO-GO red.
    pub fn level(self, level: crate::verdict::Level) -> String {
        let text = level.to_string();
        match level {
            crate::verdict::Level::Go => self.green(&text),
            crate::verdict::Level::GoWithConditions => self.yellow(&text),
            crate::verdict::Level::NoGo => self.red(&text),
        }
    }
}
