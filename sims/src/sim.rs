//! Running a simulation step by step on virtual time. A `Model` reacts to
//! its events (a request arriving, a database reply coming back) by running
//! commands on its `Host` and scheduling what follows; `Sim` owns the event
//! queue and the clock, runs the engine's cron every 100 virtual ms in
//! between, and is what the playground drives: `step` for one event,
//! `advance_to` for "play" at any speed.

use crate::events::EventQueue;
use crate::host::{Host, TICK_MS};
use crate::log::LogEntry;

/// One simulation's behaviour.
pub trait Model {
    type Event;

    /// Handles `event`, due now (the host's clock is already at `at`).
    fn handle(&mut self, at: u64, event: Self::Event, queue: &mut EventQueue<Self::Event>);

    /// Time has reached `at` (before any event due then): close what is
    /// due, such as a metrics bucket.
    fn reach(&mut self, _at: u64) {}

    fn host(&mut self) -> &mut Host;

    fn host_ref(&self) -> &Host;
}

/// A simulation in progress: its model, pending events and clock.
pub struct Sim<M: Model> {
    model: M,
    queue: EventQueue<M::Event>,
    now_ms: u64,
    end_ms: u64,
    next_tick_ms: u64,
}

impl<M: Model> Sim<M> {
    /// A simulation of `model` whose first events are in `queue`, ending at
    /// virtual `end_ms`.
    pub(crate) fn new(model: M, queue: EventQueue<M::Event>, end_ms: u64) -> Sim<M> {
        Sim {
            model,
            queue,
            now_ms: 0,
            end_ms,
            next_tick_ms: TICK_MS,
        }
    }

    /// Virtual ms since the start.
    pub fn now(&self) -> u64 {
        self.now_ms
    }

    /// When the simulation ends (virtual ms).
    pub fn end(&self) -> u64 {
        self.end_ms
    }

    pub fn finished(&self) -> bool {
        self.now_ms >= self.end_ms
    }

    /// When the next event is due, if before the end.
    pub fn next_event_at(&self) -> Option<u64> {
        self.queue.next_at().filter(|&at| at <= self.end_ms)
    }

    /// Processes the next event; returns its time, or None once nothing is
    /// left before the end.
    pub fn step(&mut self) -> Option<u64> {
        let at = self.next_event_at()?;
        self.pass_time(at);
        let (at, event) = self.queue.pop()?;
        self.model.host().set_now(at);
        self.model.handle(at, event, &mut self.queue);
        Some(at)
    }

    /// Processes every event due up to `target_ms` (capped at the end), then
    /// moves the clock there.
    pub fn advance_to(&mut self, target_ms: u64) {
        let target_ms = target_ms.min(self.end_ms);
        while self.next_event_at().is_some_and(|at| at <= target_ms) {
            self.step();
        }
        self.pass_time(target_ms);
    }

    pub fn run_to_end(&mut self) {
        self.advance_to(self.end_ms);
    }

    pub fn model(&self) -> &M {
        &self.model
    }

    /// The model, for draining what it recorded (outcomes, decisions).
    pub fn model_mut(&mut self) -> &mut M {
        &mut self.model
    }

    /// The command log since the last call.
    pub fn take_log(&mut self) -> Vec<LogEntry> {
        self.model.host().take_log()
    }

    /// Log entries dropped because nobody read them in time.
    pub fn log_dropped(&self) -> u64 {
        self.model.host_ref().log_dropped()
    }

    /// Runs the cron ticks due up to `at`, then lets the model close what
    /// is due; time never goes backwards.
    fn pass_time(&mut self, at: u64) {
        while self.next_tick_ms <= at {
            self.model.host().tick(self.next_tick_ms);
            self.model.reach(self.next_tick_ms);
            self.next_tick_ms += TICK_MS;
        }
        self.model.host().set_now(at);
        self.model.reach(at);
        self.now_ms = self.now_ms.max(at);
    }
}
