//! Pub/sub chat: members of a room subscribe to its channel on one
//! connection and `PUBLISH` on another (a subscribed RESP2 connection may
//! only run subscription commands), now and then leave (`UNSUBSCRIBE`) and
//! come back. Messages are fire-and-forget: each reaches exactly the
//! members subscribed when it was published, in order, and nobody else;
//! someone away misses it for good.

use crate::dist::Latency;
use crate::events::EventQueue;
use crate::host::{Conn, Host};
use crate::log::Action;
use crate::params::{self, ParamError};
use crate::sim::{Model, Sim};
use redsim_engine::rng::Rng;
use redsim_engine::{Engine, Reply};

const CHANNEL: &str = "chat:room";
pub const MAX_MESSAGES: usize = 20_000;

#[derive(Debug, Clone, PartialEq)]
pub struct ChatParams {
    pub seed: u64,
    pub duration_ms: u64,
    pub members: u64,
    /// A member's pause between two messages, or away and back.
    pub pause: Latency,
    /// Chance (0 to 1) that a member leaves after speaking.
    pub leave_chance: f64,
}

impl Default for ChatParams {
    fn default() -> Self {
        ChatParams {
            seed: 1,
            duration_ms: 60_000,
            members: 4,
            pause: Latency::Uniform {
                min_ms: 500,
                max_ms: 4_000,
            },
            leave_chance: 0.2,
        }
    }
}

/// One published message and who got it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub at_ms: u64,
    pub from: u64,
    pub text: String,
    /// Members subscribed when it was published.
    pub present: Vec<u64>,
    /// PUBLISH's reply: how many subscribers it reached.
    pub reached: i64,
    /// Members whose subscriber connection received it.
    pub delivered_to: Vec<u64>,
}

pub enum Event {
    Speak(u64),
    Return(u64),
}

struct Member {
    listener: Conn,
    speaker: Conn,
    present: bool,
}

pub struct ChatSim {
    params: ChatParams,
    host: Host,
    rng: Rng,
    members: Vec<Member>,
    messages: Vec<Message>,
    /// Per member, the texts received, in order.
    received: Vec<Vec<String>>,
}

pub fn simulate(params: ChatParams) -> Result<Sim<ChatSim>, ParamError> {
    params::int("duration_ms", params.duration_ms, 1, 600_000)?;
    params::int("members", params.members, 2, 16)?;
    params.pause.validate("pause")?;
    params::real("leave_chance", params.leave_chance, 0.0, 1.0)?;
    let mut seeds = Rng::new(params.seed);
    let mut host = Host::new(seeds.next_u64());
    let mut rng = Rng::new(seeds.next_u64());
    let mut queue = EventQueue::default();
    let members: Vec<Member> = (0..params.members)
        .map(|m| {
            let member = Member {
                listener: host.connect(),
                speaker: host.connect(),
                present: true,
            };
            host.run(member.listener, &name(m), &["SUBSCRIBE", CHANNEL]);
            queue.schedule(params.pause.sample(&mut rng).max(1), Event::Speak(m));
            member
        })
        .collect();
    let end = params.duration_ms;
    let received = vec![Vec::new(); members.len()];
    Ok(Sim::new(
        ChatSim {
            params,
            host,
            rng,
            members,
            messages: Vec::new(),
            received,
        },
        queue,
        end,
    ))
}

impl Model for ChatSim {
    type Event = Event;

    fn handle(&mut self, at: u64, event: Event, queue: &mut EventQueue<Event>) {
        let pause = self.params.pause.sample(&mut self.rng).max(1);
        match event {
            Event::Speak(m) => {
                self.speak(at, m);
                if self.rng.unit() < self.params.leave_chance {
                    self.set_present(m, false);
                    queue.schedule(at + pause, Event::Return(m));
                } else {
                    queue.schedule(at + pause, Event::Speak(m));
                }
            }
            Event::Return(m) => {
                self.set_present(m, true);
                queue.schedule(at + pause, Event::Speak(m));
            }
        }
    }

    fn host(&mut self) -> &mut Host {
        &mut self.host
    }

    fn host_ref(&self) -> &Host {
        &self.host
    }
}

impl ChatSim {
    /// Every message so far (the first `MAX_MESSAGES`).
    pub fn messages(&self) -> &[Message] {
        &self.messages
    }

    /// What `member` received, in order.
    pub fn received(&self, member: u64) -> &[String] {
        self.received
            .get(member as usize)
            .map_or(&[], Vec::as_slice)
    }

    pub fn engine(&self) -> &Engine {
        self.host.engine()
    }

    fn speak(&mut self, at: u64, m: u64) {
        if self.messages.len() >= MAX_MESSAGES {
            return;
        }
        let Some(speaker) = self.members.get(m as usize).map(|member| member.speaker) else {
            return;
        };
        let text = format!("{}: message {}", name(m), self.messages.len());
        let present = (0..self.params.members)
            .filter(|&i| self.members.get(i as usize).is_some_and(|x| x.present))
            .collect();
        let reached = match self
            .host
            .run(speaker, &name(m), &["PUBLISH", CHANNEL, &text])
        {
            Reply::Int(n) => n,
            _ => 0,
        };
        // Deliveries are pushed to the listeners' connections as PUBLISH
        // runs: collect them now.
        let mut delivered_to = Vec::new();
        for (i, member) in self.members.iter().enumerate() {
            for frame in self.host.take_output(member.listener) {
                if let Some(got) = message_text(&frame) {
                    let note = format!("received \"{got}\"");
                    self.host.note(&name(i as u64), Action::Note(note));
                    if let Some(inbox) = self.received.get_mut(i) {
                        inbox.push(got);
                    }
                    delivered_to.push(i as u64);
                }
            }
        }
        self.messages.push(Message {
            at_ms: at,
            from: m,
            text,
            present,
            reached,
            delivered_to,
        });
    }

    fn set_present(&mut self, m: u64, present: bool) {
        let Some(member) = self.members.get_mut(m as usize) else {
            return;
        };
        member.present = present;
        let command = if present { "SUBSCRIBE" } else { "UNSUBSCRIBE" };
        self.host
            .run(member.listener, &name(m), &[command, CHANNEL]);
    }
}

fn name(member: u64) -> String {
    format!("member {member}")
}

/// The text of a pub/sub `message` push: `[message, channel, text]`.
fn message_text(frame: &Reply) -> Option<String> {
    let (Reply::Array(parts) | Reply::Push(parts)) = frame else {
        return None;
    };
    match parts.as_slice() {
        [Reply::Bulk(kind), _, Reply::Bulk(text)] if kind == b"message" => {
            Some(String::from_utf8_lossy(text).into_owned())
        }
        _ => None,
    }
}
