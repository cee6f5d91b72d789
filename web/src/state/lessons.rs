//! Guided lessons: short steps with commands to run (click to run them in
//! the console), each lesson ending in a challenge checked against the
//! engine's state. Lessons are data: Markdown files in `web/lessons/`
//! (see `markdown` for the subset), compiled in, so a new one needs no code
//! beyond its line in `SOURCES`.
//!
//! A lesson file: `# Title`, an introduction, then `## Step` sections; the
//! last one is `## Challenge: …`. Fenced blocks:
//! - ```` ```redis ```` commands to run, one per line (`redis client=2`
//!   runs them in the second client pane, opened if needed);
//! - ```` ```check ```` in the challenge: `COMMAND args -> reply` lines,
//!   the reply as redis-cli prints it (`| ` lines continue a multi-line
//!   reply); only read-only commands, run by a checker connection;
//! - ```` ```solution ```` in the challenge: one way to solve it, shown on
//!   request and run by the tests to prove the challenge can be met.

use std::sync::OnceLock;

use redsim_engine::reply::cli;
use redsim_engine::Engine;

use super::markdown::{self, Block};

/// Every lesson file, in the order the lessons are offered.
const SOURCES: &[(&str, &str)] = &[
    ("strings", include_str!("../../lessons/strings.md")),
    ("hashes", include_str!("../../lessons/hashes.md")),
    ("lists", include_str!("../../lessons/lists.md")),
    ("sets", include_str!("../../lessons/sets.md")),
    ("sorted-sets", include_str!("../../lessons/sorted-sets.md")),
    ("bitmaps", include_str!("../../lessons/bitmaps.md")),
    ("hyperloglog", include_str!("../../lessons/hyperloglog.md")),
    ("geo", include_str!("../../lessons/geo.md")),
    ("streams", include_str!("../../lessons/streams.md")),
    ("ttl", include_str!("../../lessons/ttl.md")),
    ("pubsub", include_str!("../../lessons/pubsub.md")),
    (
        "transactions",
        include_str!("../../lessons/transactions.md"),
    ),
    ("persistence", include_str!("../../lessons/persistence.md")),
    ("eviction", include_str!("../../lessons/eviction.md")),
];

#[derive(Debug, Clone, PartialEq)]
pub struct Lesson {
    pub id: &'static str,
    pub title: String,
    pub intro: Vec<Block>,
    /// The steps, the challenge last.
    pub steps: Vec<Step>,
    pub challenge: Challenge,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub title: String,
    /// Text and runnable blocks (`Block::Fence` with info `redis …`).
    pub body: Vec<Block>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Challenge {
    pub checks: Vec<Check>,
    pub solution: Vec<String>,
}

/// One line of a `check` block.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    pub command: String,
    /// The reply as redis-cli prints it.
    pub expected: String,
}

/// A runnable block's commands and the client pane (1-based) they go to.
#[derive(Debug, Clone, PartialEq)]
pub struct Runnable {
    pub client: usize,
    pub lines: Vec<String>,
}

/// The runnable block a fence is, if it is one.
pub fn runnable(block: &Block) -> Option<Runnable> {
    let Block::Fence { info, lines } = block else {
        return None;
    };
    let mut words = info.split_whitespace();
    if words.next() != Some("redis") {
        return None;
    }
    let client = words
        .find_map(|w| w.strip_prefix("client="))
        .and_then(|n| n.parse::<usize>().ok())
        .filter(|n| (1..=MAX_CLIENT).contains(n))
        .unwrap_or(1);
    Some(Runnable {
        client,
        lines: lines.clone(),
    })
}

/// The most client panes a lesson may ask for.
pub const MAX_CLIENT: usize = 4;

/// Every lesson, parsed once.
pub fn all() -> &'static [Lesson] {
    static LESSONS: OnceLock<Vec<Lesson>> = OnceLock::new();
    LESSONS.get_or_init(|| {
        SOURCES
            .iter()
            .filter_map(|(id, text)| parse(id, text).ok())
            .collect()
    })
}

/// Reads one lesson file; what is wrong with it, if anything.
pub fn parse(id: &'static str, text: &str) -> Result<Lesson, String> {
    let mut blocks = markdown::parse(text).into_iter();
    let title = match blocks.next() {
        Some(Block::Heading { level: 1, text }) => text,
        _ => return Err(format!("{id}: the file must start with `# Title`")),
    };
    let mut intro = Vec::new();
    let mut steps: Vec<Step> = Vec::new();
    let mut challenge = None::<Challenge>;
    for block in blocks {
        match block {
            Block::Heading { level: 2, text } => {
                if challenge.is_some() {
                    return Err(format!("{id}: “{text}” comes after the challenge"));
                }
                if text.starts_with("Challenge") {
                    challenge = Some(Challenge::default());
                }
                steps.push(Step {
                    title: text,
                    body: Vec::new(),
                });
            }
            Block::Fence { info, lines } if info == "check" || info == "solution" => {
                let Some(c) = challenge.as_mut() else {
                    return Err(format!("{id}: a `{info}` block outside the challenge"));
                };
                if info == "check" {
                    c.checks.extend(checks(id, &lines)?);
                } else {
                    c.solution.extend(lines);
                }
            }
            block => match steps.last_mut() {
                Some(step) => step.body.push(block),
                None => intro.push(block),
            },
        }
    }
    let challenge = challenge
        .filter(|c| !c.checks.is_empty() && !c.solution.is_empty())
        .ok_or_else(|| format!("{id}: needs a challenge with checks and a solution"))?;
    Ok(Lesson {
        id,
        title,
        intro,
        steps,
        challenge,
    })
}

/// `COMMAND -> reply` lines, with `| ` lines continuing the reply.
fn checks(id: &str, lines: &[String]) -> Result<Vec<Check>, String> {
    let mut checks: Vec<Check> = Vec::new();
    for line in lines.iter().filter(|l| !l.trim().is_empty()) {
        if let Some(more) = line.strip_prefix("| ") {
            let last = checks
                .last_mut()
                .ok_or_else(|| format!("{id}: `| {more}` continues no check"))?;
            last.expected.push('\n');
            last.expected.push_str(more);
        } else {
            let (command, expected) = line
                .split_once(" -> ")
                .ok_or_else(|| format!("{id}: `{line}` is not `COMMAND -> reply`"))?;
            checks.push(Check {
                command: command.trim().to_string(),
                expected: expected.to_string(),
            });
        }
    }
    Ok(checks)
}

/// A check as run: what came back.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub check: Check,
    pub got: String,
}

impl Outcome {
    pub fn passed(&self) -> bool {
        self.got == self.check.expected
    }
}

/// Runs the checks on a connection of their own, in database `db`, and
/// closes it.
pub fn run_checks(engine: &mut Engine, db: usize, checks: &[Check]) -> Vec<Outcome> {
    let client = engine.connect();
    cli::run_line(engine, client, &format!("SELECT {db}"));
    let outcomes = checks
        .iter()
        .map(|check| Outcome {
            check: check.clone(),
            got: cli::run_line(engine, client, &check.command),
        })
        .collect();
    engine.disconnect(client);
    outcomes
}

/// Where the learner is: the open lesson, its step, the last check.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tutor {
    /// Whether the lesson panel is open at all.
    pub shown: bool,
    /// Index into `all()`; None while the lesson list is shown.
    pub lesson: Option<usize>,
    pub step: usize,
    pub outcomes: Option<Vec<Outcome>>,
    pub solution_shown: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum LessonAction {
    /// Opens or closes the lesson panel.
    Toggle,
    Open(Option<usize>),
    Step(usize),
    /// Runs the open lesson's checks.
    Check,
    ShowSolution,
}

impl Tutor {
    pub fn current(&self) -> Option<&'static Lesson> {
        all().get(self.lesson?)
    }

    /// Moves between lessons and steps (checking needs the engine: see
    /// `Playground::lesson_action`).
    pub fn go(&mut self, action: &LessonAction) {
        match action {
            LessonAction::Toggle => self.shown = !self.shown,
            LessonAction::Open(lesson) => {
                *self = Tutor {
                    shown: true,
                    lesson: lesson.filter(|i| *i < all().len()),
                    ..Tutor::default()
                };
            }
            LessonAction::Step(step) => {
                let last = self
                    .current()
                    .map_or(0, |l| l.steps.len().saturating_sub(1));
                self.step = (*step).min(last);
                self.outcomes = None;
            }
            LessonAction::ShowSolution => self.solution_shown = true,
            LessonAction::Check => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::playground::Playground;

    #[test]
    fn every_lesson_file_reads() {
        for (id, text) in SOURCES {
            let lesson = parse(id, text).unwrap_or_else(|e| panic!("{e}"));
            assert!(
                lesson.steps.len() >= 3,
                "{id}: a few steps before the challenge"
            );
            assert!(
                lesson
                    .steps
                    .iter()
                    .rev()
                    .skip(1)
                    .all(|s| s.body.iter().any(|b| runnable(b).is_some())),
                "{id}: every step has commands to run"
            );
        }
        assert_eq!(all().len(), SOURCES.len());
    }

    /// The commands a lesson offers, in order, each with its client pane.
    fn offered(lesson: &Lesson) -> Vec<(usize, String)> {
        lesson
            .steps
            .iter()
            .flat_map(|s| s.body.iter().filter_map(runnable))
            .flat_map(|r| r.lines.into_iter().map(move |l| (r.client, l)))
            .collect()
    }

    /// Runs a lesson's commands (and maybe its solution) in a fresh
    /// playground; the check outcomes after.
    fn outcomes(lesson: &Lesson, solve: bool) -> Vec<Outcome> {
        let mut p = Playground::new(1_700_000_000_000);
        for (client, line) in offered(lesson) {
            p.run_in_client(client, &line, 1_700_000_000_000);
        }
        if solve {
            let solution = lesson.challenge.solution.join("\n");
            p.run_in_client(1, &solution, 1_700_000_000_000);
        }
        p.check_lesson(&lesson.challenge.checks, 1_700_000_000_000)
    }

    #[test]
    fn every_command_a_lesson_offers_runs_without_error() {
        for lesson in all() {
            let mut p = Playground::new(1_700_000_000_000);
            let lines = offered(lesson)
                .into_iter()
                .chain(lesson.challenge.solution.iter().map(|l| (1, l.clone())));
            for (client, line) in lines {
                let out = p.run_in_client(client, &line, 1_700_000_000_000);
                // Errors a lesson shows on purpose (WRONGTYPE, not an
                // integer) are fine; a typo is not.
                let typo = [
                    "unknown command",
                    "syntax error",
                    "wrong number of arguments",
                    "unknown subcommand",
                    "Invalid argument",
                ];
                assert!(
                    !typo.iter().any(|t| out.contains(t)),
                    "{}: `{line}` gave {out}",
                    lesson.id
                );
            }
        }
    }

    #[test]
    fn every_challenge_is_met_by_its_solution_and_not_by_the_steps_alone() {
        let table = redsim_engine::commands::Table::new();
        for lesson in all() {
            for check in &lesson.challenge.checks {
                let name = check.command.split_whitespace().next().unwrap_or_default();
                let spec = table.get(name.as_bytes()).expect("a command");
                assert!(
                    !spec
                        .flags
                        .iter()
                        .any(|f| ["write", "blocking", "admin"].contains(f)),
                    "{}: checks only read, `{name}` does not",
                    lesson.id
                );
            }
            let solved = outcomes(lesson, true);
            for o in &solved {
                assert!(
                    o.passed(),
                    "{}: `{}` gave {:?}, wants {:?}",
                    lesson.id,
                    o.check.command,
                    o.got,
                    o.check.expected
                );
            }
            assert!(
                outcomes(lesson, false).iter().any(|o| !o.passed()),
                "{}: the steps alone must not meet the challenge",
                lesson.id
            );
        }
    }

    #[test]
    fn malformed_lessons_are_refused_with_the_reason() {
        let bad = [
            ("no title", "intro only"),
            ("no challenge", "# T\n## Step\n```redis\nSET a 1\n```"),
            ("no solution", "# T\n## Challenge: x\n```check\nGET a -> \"1\"\n```"),
            ("bad check", "# T\n## Challenge: x\n```check\nGET a\n```\n```solution\nSET a 1\n```"),
            ("stray check", "# T\n## S\n```check\nGET a -> 1\n```"),
            ("after", "# T\n## Challenge: x\n```check\nGET a -> 1\n```\n```solution\nSET a 1\n```\n## More"),
        ];
        for (what, text) in bad {
            assert!(parse("t", text).is_err(), "{what}");
        }
        let ok = parse("t", "# T\n## Challenge: x\n```check\nLRANGE l 0 -1 -> 1) \"a\"\n| 2) \"b\"\n```\n```solution\nRPUSH l a b\n```").expect("reads");
        assert_eq!(ok.challenge.checks[0].expected, "1) \"a\"\n2) \"b\"");
    }

    #[test]
    fn the_tutor_moves_within_a_lesson() {
        let mut t = Tutor::default();
        t.go(&LessonAction::Toggle);
        assert!(t.shown && t.current().is_none());
        t.go(&LessonAction::Open(Some(0)));
        t.go(&LessonAction::Step(99));
        let last = all()[0].steps.len() - 1;
        assert_eq!(t.step, last, "clamped to the challenge");
        t.go(&LessonAction::ShowSolution);
        t.go(&LessonAction::Open(Some(all().len())));
        assert_eq!((t.lesson, t.step, t.solution_shown), (None, 0, false));
    }

    #[test]
    fn runnable_blocks_name_their_client() {
        let fence = |info: &str| Block::Fence {
            info: info.into(),
            lines: vec!["PING".into()],
        };
        assert_eq!(runnable(&fence("redis")).map(|r| r.client), Some(1));
        assert_eq!(
            runnable(&fence("redis client=2")).map(|r| r.client),
            Some(2)
        );
        assert_eq!(
            runnable(&fence("redis client=99")).map(|r| r.client),
            Some(1)
        );
        assert_eq!(runnable(&fence("text")), None);
    }
}
