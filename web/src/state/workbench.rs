//! What the playground page adds around the console and its engine: the
//! guided lessons and the simulations. They are kept out of `Playground`,
//! which the docs widget uses too, so the widget carries neither; what
//! joins them to the playground (a lesson's checks, the key browser on a
//! simulation's keys) is here.

use redsim_engine::Engine;

use super::keys::KeysAction;
use super::lessons::{LessonAction, Tutor};
use super::playground::Playground;
use super::sims::Simulations;

#[derive(Default)]
pub struct Workbench {
    /// The guided lesson open, if any, and how far along it is.
    pub tutor: Tutor,
    /// The simulations panel; each simulation drives an engine of its own.
    pub sims: Simulations,
}

impl Workbench {
    /// The playground's tick, then the simulation's frame; the key browser
    /// follows a simulation by listing its keys afresh (a simulation's
    /// engine has no change feed consumer).
    pub fn tick(&mut self, p: &mut Playground, wall_ms: i64) {
        p.tick(wall_ms);
        self.sims.frame(wall_ms);
        if p.keys.of_simulation {
            match self.sims.engine() {
                Some(engine) => p.keys.relist(engine),
                None => p.keys_action(KeysAction::SelectDb(0)),
            }
        }
    }

    pub fn lesson_action(&mut self, p: &mut Playground, action: LessonAction, wall_ms: i64) {
        self.tutor.go(&action);
        if action == LessonAction::Check {
            if let Some(lesson) = self.tutor.current() {
                self.tutor.outcomes = Some(p.check_lesson(&lesson.challenge.checks, wall_ms));
            }
        }
    }

    /// The key browser's action, on the simulation's engine while it
    /// browses one.
    pub fn keys_action(&self, p: &mut Playground, action: KeysAction) {
        let of_simulation = match action {
            KeysAction::Source(on) => on,
            KeysAction::SelectDb(_) => false,
            _ => p.keys.of_simulation,
        };
        match self.simulation_engine(of_simulation) {
            Some(engine) => p.keys.act(engine, action),
            None => {
                // Back to the playground's keys, or staying with them.
                let leaving = matches!(action, KeysAction::Source(_))
                    || p.keys.of_simulation && !matches!(action, KeysAction::SelectDb(_));
                p.keys_action(if leaving {
                    KeysAction::SelectDb(0)
                } else {
                    action
                });
            }
        }
    }

    /// The time the key browser's TTLs count down against: the
    /// simulation's virtual time while browsing it.
    pub fn keys_now(&self, p: &Playground, now_ms: i64) -> i64 {
        self.simulation_engine(p.keys.of_simulation)
            .map_or(now_ms, Engine::now)
    }

    /// Keys in the running simulation's engine, while its panel is open.
    pub fn simulation_keys(&self) -> Option<usize> {
        self.simulation_engine(self.sims.shown).map(|e| e.dbsize(0))
    }

    fn simulation_engine(&self, wanted: bool) -> Option<&Engine> {
        self.sims.engine().filter(|_| wanted)
    }
}

#[cfg(test)]
mod tests {
    use super::Workbench;
    use crate::state::keys::{KeysAction, Line};
    use crate::state::playground::Playground;
    use crate::state::sims::{Kind, SimAction};

    fn names(p: &Playground) -> Vec<String> {
        p.keys
            .lines()
            .iter()
            .filter_map(|l| match l {
                Line::Key { row, .. } => Some(String::from_utf8_lossy(&row.key).into_owned()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn the_key_browser_can_show_a_simulations_keys() {
        let (mut p, mut w) = (Playground::new(0), Workbench::default());
        let a = p.session.panes[0].id;
        p.submit(a, "SET mine 1", 0);
        w.sims.act(SimAction::Show(Kind::RateLimit), 0);
        w.sims.act(SimAction::Step, 0);
        w.keys_action(&mut p, KeysAction::Source(true));
        assert!(!names(&p).is_empty());
        assert!(
            names(&p).iter().all(|k| k.starts_with("ratelimit:")),
            "{:?}",
            names(&p)
        );
        assert!(
            w.keys_now(&p, 0) > 1_700_000_000_000,
            "TTLs count on the simulation's clock"
        );
        // Commands typed meanwhile do not land in the simulation's list.
        p.submit(a, "SET other 2", 0);
        w.tick(&mut p, 0);
        assert!(!names(&p).contains(&"other".to_string()));
        w.keys_action(&mut p, KeysAction::SelectDb(0));
        assert_eq!(names(&p), ["mine", "other"]);
    }

    #[test]
    fn a_lesson_check_runs_against_the_playground() {
        use crate::state::lessons::LessonAction;
        let (mut p, mut w) = (Playground::new(0), Workbench::default());
        w.lesson_action(&mut p, LessonAction::Open(Some(0)), 0);
        w.lesson_action(&mut p, LessonAction::Check, 0);
        let failed = w
            .tutor
            .outcomes
            .as_ref()
            .map(|o| o.iter().any(|o| !o.passed()));
        assert_eq!(failed, Some(true), "nothing done yet");
        let solution = w
            .tutor
            .current()
            .map(|l| l.challenge.solution.join("\n"))
            .unwrap_or_default();
        p.run_in_client(1, &solution, 0);
        w.lesson_action(&mut p, LessonAction::Check, 0);
        let passed = w
            .tutor
            .outcomes
            .as_ref()
            .map(|o| o.iter().all(|o| o.passed()));
        assert_eq!(passed, Some(true));
    }
}
