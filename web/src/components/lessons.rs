//! The lesson panel: the list of lessons, then one lesson step by step,
//! its commands runnable with a click (into the console pane they name),
//! and the challenge's check with each line's expected and actual reply.

use yew::prelude::*;

use crate::app::Action;
use crate::state::lessons::{all, runnable, Lesson, LessonAction, Outcome, Runnable, Tutor};
use crate::state::markdown::{Block, Inline};

#[derive(Properties, PartialEq)]
pub struct LessonProps {
    pub tutor: Tutor,
    pub on_action: Callback<Action>,
}

#[function_component(LessonPanel)]
pub fn lesson_panel(props: &LessonProps) -> Html {
    let go = |action: LessonAction| {
        props
            .on_action
            .reform(move |_| Action::Lesson(action.clone()))
    };
    let Some(lesson) = props.tutor.current() else {
        return html! {
            <section class="lessons" aria-label="lessons">
                <h2>{ "Lessons" }</h2>
                <p>{ "Short guided tours of Redis, run in this console. Each ends in a small challenge." }</p>
                <ol class="lesson-list">
                    { for all().iter().enumerate().map(|(i, l)| html! {
                        <li><button class="lesson-open" onclick={go(LessonAction::Open(Some(i)))}>{ &l.title }</button></li>
                    }) }
                </ol>
            </section>
        };
    };
    let t = &props.tutor;
    let count = lesson.steps.len();
    let step = lesson.steps.get(t.step);
    let is_challenge = t.step + 1 == count;
    html! {
        <section class="lessons" aria-label="lesson" data-lesson={lesson.id}>
            <div class="lesson-head">
                <button class="lesson-back" onclick={go(LessonAction::Open(None))}>{ "← all lessons" }</button>
                <h2>{ &lesson.title }</h2>
                <span class="lesson-progress">{ format!("step {} of {count}", t.step + 1) }</span>
            </div>
            if t.step == 0 {
                { for lesson.intro.iter().map(|b| block(b, &props.on_action)) }
            }
            if let Some(step) = step {
                <h3 class="step-title">{ &step.title }</h3>
                { for step.body.iter().map(|b| block(b, &props.on_action)) }
            }
            if is_challenge {
                { challenge(lesson, t, &props.on_action) }
            }
            <nav class="lesson-nav" aria-label="steps">
                <button class="step-prev" disabled={t.step == 0}
                    onclick={go(LessonAction::Step(t.step.saturating_sub(1)))}>{ "← back" }</button>
                <button class="step-next" disabled={is_challenge}
                    onclick={go(LessonAction::Step(t.step + 1))}>{ "next →" }</button>
            </nav>
        </section>
    }
}

/// The check button, what the last check found, and the solution on request.
fn challenge(lesson: &Lesson, t: &Tutor, on_action: &Callback<Action>) -> Html {
    let check = on_action.reform(|_| Action::Lesson(LessonAction::Check));
    let reveal = on_action.reform(|_| Action::Lesson(LessonAction::ShowSolution));
    let passed = t.outcomes.as_ref().map(|o| o.iter().all(Outcome::passed));
    let solution = Runnable {
        client: 1,
        lines: lesson.challenge.solution.clone(),
    };
    html! {
        <div class="challenge">
            <button class="check" onclick={check}>{ "check my work" }</button>
            if let Some(passed) = passed {
                <p class={classes!("verdict", if passed { "passed" } else { "failed" })} role="status">
                    { if passed { "✓ Challenge met." } else { "Not yet: the checks below differ." } }
                </p>
            }
            if let Some(outcomes) = &t.outcomes {
                <ul class="outcomes">
                    { for outcomes.iter().map(outcome) }
                </ul>
            }
            if t.solution_shown {
                <p>{ "One way to do it:" }</p>
                { commands(&solution, on_action) }
            } else {
                <button class="show-solution" onclick={reveal}>{ "show a solution" }</button>
            }
        </div>
    }
}

fn outcome(o: &Outcome) -> Html {
    let passed = o.passed();
    html! {
        <li class={classes!("outcome", if passed { "passed" } else { "failed" })}>
            <span class="mark">{ if passed { "✓" } else { "✗" } }</span>
            <code>{ &o.check.command }</code>
            if passed {
                <pre class="got">{ &o.got }</pre>
            } else {
                <span class="want-label">{ "wanted" }</span><pre class="want">{ &o.check.expected }</pre>
                <span class="got-label">{ "got" }</span><pre class="got">{ &o.got }</pre>
            }
        </li>
    }
}

fn block(b: &Block, on_action: &Callback<Action>) -> Html {
    if let Some(r) = runnable(b) {
        return commands(&r, on_action);
    }
    match b {
        Block::Heading { text, .. } => html! { <h4>{ text }</h4> },
        Block::Paragraph(spans) => html! { <p>{ for spans.iter().map(inline) }</p> },
        Block::List(items) => html! {
            <ul>{ for items.iter().map(|spans| html! { <li>{ for spans.iter().map(inline) }</li> }) }</ul>
        },
        Block::Fence { lines, .. } => html! { <pre>{ lines.join("\n") }</pre> },
    }
}

fn inline(span: &Inline) -> Html {
    match span {
        Inline::Text(t) => html! { { t } },
        Inline::Code(t) => html! { <code>{ t }</code> },
        Inline::Strong(t) => html! { <strong>{ t }</strong> },
        Inline::Em(t) => html! { <em>{ t }</em> },
    }
}

/// A block of commands: each runnable alone, or all in order.
fn commands(r: &Runnable, on_action: &Callback<Action>) -> Html {
    let run = |text: String| {
        let client = r.client;
        on_action.reform(move |_| Action::RunIn {
            client,
            text: text.clone(),
        })
    };
    let target = if r.client == 1 {
        String::new()
    } else {
        format!(" in client {}", r.client)
    };
    html! {
        <div class="runnable" data-client={r.client.to_string()}>
            { for r.lines.iter().map(|line| html! {
                <div class="run-row">
                    <button class="run-line" aria-label={format!("run {line}{target}")}
                        onclick={run(line.clone())}>{ "▶" }</button>
                    <code>{ line }</code>
                </div>
            }) }
            if r.lines.len() > 1 {
                <button class="run-all" onclick={run(r.lines.join("\n"))}>{ format!("▶ run all{target}") }</button>
            }
        </div>
    }
}
