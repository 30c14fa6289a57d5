//! The interactive shell (Kafka's `InteractiveShell`): banner, `>> ` prompt, history and tab
//! completion of command names and paths, through `rustyline` as Kafka uses JLine.

use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;

use rustyline::completion::Completer;
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::DefaultHistory;
use rustyline::validate::Validator;
use rustyline::{Context, Editor, Helper};

use super::commands::{parse_command, split_words, Outcome, ShellState};

/// Completes command names and metadata paths from the shell's current state.
struct ShellHelper {
    state: Rc<RefCell<ShellState>>,
}

impl Completer for ShellHelper {
    type Candidate = String;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<String>)> {
        let before = &line[..pos];
        let mut words = split_words(before);
        if before.is_empty() || before.ends_with(char::is_whitespace) {
            words.push(String::new());
        }
        let partial_len = words.last().map(String::len).unwrap_or(0);
        let start = pos.saturating_sub(partial_len);
        let candidates = self.state.borrow().complete(&words);
        Ok((start, candidates))
    }
}

impl Hinter for ShellHelper {
    type Hint = String;
}
impl Highlighter for ShellHelper {}
impl Validator for ShellHelper {}
impl Helper for ShellHelper {}

/// Runs the read-eval-print loop until `exit` or end of input (Ctrl-D); Ctrl-C prints `^C`
/// and keeps going, as Kafka's shell does.
pub(crate) fn run_main_loop(state: ShellState) -> Result<(), ReadlineError> {
    let state = Rc::new(RefCell::new(state));
    let mut editor: Editor<ShellHelper, DefaultHistory> = Editor::new()?;
    editor.set_helper(Some(ShellHelper {
        state: Rc::clone(&state),
    }));
    let mut stdout = std::io::stdout();
    writeln!(stdout, "[ Kafka Metadata Shell ]").map_err(ReadlineError::Io)?;
    stdout.flush().map_err(ReadlineError::Io)?;
    loop {
        match editor.readline(">> ") {
            Ok(line) => {
                if !line.trim().is_empty() {
                    let _ = editor.add_history_entry(line.as_str());
                    state.borrow_mut().history.push(line.clone());
                }
                let width = editor.dimensions().map(|(columns, _)| columns);
                let command = parse_command(&split_words(&line), true);
                let mut out = String::new();
                let outcome = {
                    let mut state = state.borrow_mut();
                    state.screen_width = width;
                    state.run(&command, &mut out)
                };
                stdout
                    .write_all(out.as_bytes())
                    .map_err(ReadlineError::Io)?;
                stdout.flush().map_err(ReadlineError::Io)?;
                if outcome == Outcome::Exit {
                    return Ok(());
                }
            }
            Err(ReadlineError::Interrupted) => {
                writeln!(stdout, "^C").map_err(ReadlineError::Io)?;
            }
            Err(ReadlineError::Eof) => return Ok(()),
            Err(e) => return Err(e),
        }
    }
}
