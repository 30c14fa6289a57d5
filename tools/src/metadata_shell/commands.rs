//! The shell's commands (Kafka's `Commands` and `*CommandHandler` classes): parsing a line's
//! words into a command and running it against the tree, printing exactly what Kafka prints.
//!
//! Output goes to a `String` so the interactive shell, non-interactive mode and tests share
//! one code path.

use std::fmt::Write as _;

use super::glob::{absolute_components, visit};
use super::node::Node;

/// One command type: name, description (verbatim from Kafka), whether it needs the shell, and
/// the usage / argument help `man` prints.
pub(crate) struct CommandType {
    pub(crate) name: &'static str,
    pub(crate) description: &'static str,
    pub(crate) shell_only: bool,
    usage: &'static str,
    argument_help: &'static [(&'static str, &'static str)],
}

/// Every command, sorted by name (Kafka keeps them in a `TreeMap`).
pub(crate) const COMMANDS: [CommandType; 10] = [
    CommandType {
        name: "cat",
        description: "Show the contents of metadata files.",
        shell_only: false,
        usage: "targets [targets ...]",
        argument_help: &[("targets", "The metadata files to display.")],
    },
    CommandType {
        name: "cd",
        description: "Set the current working directory.",
        shell_only: true,
        usage: "[target]",
        argument_help: &[("target", "The directory to change to.")],
    },
    CommandType {
        name: "exit",
        description: "Exit the metadata shell.",
        shell_only: true,
        usage: "",
        argument_help: &[],
    },
    CommandType {
        name: "find",
        description: "Search for nodes in the directory hierarchy.",
        shell_only: false,
        usage: "[paths [paths ...]]",
        argument_help: &[("paths", "The paths to start at.")],
    },
    CommandType {
        name: "help",
        description: "Display this help message.",
        shell_only: true,
        usage: "",
        argument_help: &[],
    },
    CommandType {
        name: "history",
        description: "Print command history.",
        shell_only: true,
        usage: "[numEntriesToShow]",
        argument_help: &[("numEntriesToShow", "The number of entries to show.")],
    },
    CommandType {
        name: "ls",
        description: "List metadata nodes.",
        shell_only: false,
        usage: "[targets [targets ...]]",
        argument_help: &[("targets", "The metadata node paths to list.")],
    },
    CommandType {
        name: "man",
        description: "Show the help text for a specific command.",
        shell_only: true,
        usage: "cmd",
        argument_help: &[("cmd", "The command to get help text for.")],
    },
    CommandType {
        name: "pwd",
        description: "Print the current working directory.",
        shell_only: true,
        usage: "",
        argument_help: &[],
    },
    CommandType {
        name: "tree",
        description: "Show the contents of metadata nodes in a tree structure.",
        shell_only: false,
        usage: "targets [targets ...]",
        argument_help: &[("targets", "The metadata nodes to display.")],
    },
];

/// A parsed command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Command {
    Cat(Vec<String>),
    Cd(Option<String>),
    Exit,
    Find(Vec<String>),
    Help,
    History(usize),
    Ls(Vec<String>),
    Man(String),
    Pwd,
    Tree(Vec<String>),
    /// An empty line.
    NoOp,
    /// A line that does not parse; the message is printed.
    Erroneous(String),
}

/// What running a command led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Done; keep going.
    Ok,
    /// Done, but something named did not exist or the line was invalid.
    Failed,
    /// `exit`.
    Exit,
}

fn choices(shell: bool) -> Vec<&'static str> {
    COMMANDS
        .iter()
        .filter(|c| shell || !c.shell_only)
        .map(|c| c.name)
        .collect()
}

/// Parses a command line (Kafka's `Commands.parseCommand`); `shell` enables shell-only commands.
pub(crate) fn parse_command(words: &[String], shell: bool) -> Command {
    let mut words: Vec<String> = words.to_vec();
    while words.last().is_some_and(|w| w.is_empty()) {
        words.pop();
    }
    let Some((name, args)) = words.split_first() else {
        return Command::NoOp;
    };
    let available = choices(shell);
    let command = if available.contains(&name.as_str()) {
        name.as_str()
    } else {
        let prefixed: Vec<&str> = available
            .iter()
            .copied()
            .filter(|c| c.starts_with(name.as_str()))
            .collect();
        return Command::Erroneous(match prefixed.as_slice() {
            [only] => format!("invalid choice: '{name}': did you mean '{only}'?"),
            _ => format!(
                "invalid choice: '{name}' (choose from {})",
                available
                    .iter()
                    .map(|c| format!("'{c}'"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
    };
    let args: Vec<String> = args.to_vec();
    let unrecognized = |extra: &[String]| {
        Command::Erroneous(format!("unrecognized arguments: '{}'", extra.join(" ")))
    };
    match command {
        "cat" | "tree" if args.is_empty() => Command::Erroneous("too few arguments".to_string()),
        "cat" => Command::Cat(args),
        "tree" => Command::Tree(args),
        "ls" => Command::Ls(args),
        "find" => Command::Find(args),
        "cd" if args.len() > 1 => unrecognized(&args[1..]),
        "cd" => Command::Cd(args.into_iter().next()),
        "man" => match args.as_slice() {
            [] => Command::Erroneous("too few arguments".to_string()),
            [cmd] => Command::Man(cmd.clone()),
            [_, extra @ ..] => unrecognized(extra),
        },
        "history" => match args.as_slice() {
            [] => Command::History(usize::MAX),
            [n] => match n.parse::<i32>() {
                Ok(n) => Command::History(usize::try_from(n).unwrap_or(0)),
                Err(e) => Command::Erroneous(format!(
                    "argument numEntriesToShow: could not convert '{n}' to Integer ({e})"
                )),
            },
            [_, extra @ ..] => unrecognized(extra),
        },
        "exit" | "help" | "pwd" if !args.is_empty() => unrecognized(&args),
        "exit" => Command::Exit,
        "help" => Command::Help,
        _ => Command::Pwd,
    }
}

/// Splits a line into words the way JLine's default parser does for plain input: whitespace
/// separates, single or double quotes group, a backslash escapes the next character.
pub(crate) fn split_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (_, '\\') => {
                if let Some(next) = chars.next() {
                    current.push(next);
                }
                in_word = true;
            }
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => current.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut current));
                    in_word = false;
                }
            }
            (None, c) => {
                current.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(current);
    }
    words
}

/// The shell's state: the tree, the working directory and (interactive mode) the history.
#[derive(Debug)]
pub(crate) struct ShellState {
    pub(crate) root: Node,
    pub(crate) cwd: String,
    /// Lines entered so far (the interactive shell adds each before running it, as JLine does).
    pub(crate) history: Vec<String>,
    /// Terminal width for `ls` columns; None prints one entry per line.
    pub(crate) screen_width: Option<usize>,
}

impl ShellState {
    /// A state at `/` over `root`.
    pub(crate) fn new(root: Node) -> Self {
        ShellState {
            root,
            cwd: "/".to_string(),
            history: Vec::new(),
            screen_width: None,
        }
    }

    /// Runs one command, appending its output to `out`.
    pub(crate) fn run(&mut self, command: &Command, out: &mut String) -> Outcome {
        match command {
            Command::NoOp => Outcome::Ok,
            Command::Erroneous(message) => {
                line(out, message);
                Outcome::Failed
            }
            Command::Exit => Outcome::Exit,
            Command::Pwd => {
                line(out, &self.cwd);
                Outcome::Ok
            }
            Command::Help => {
                help(out);
                Outcome::Ok
            }
            Command::Man(cmd) => man(cmd, out),
            Command::History(n) => {
                self.print_history(*n, out);
                Outcome::Ok
            }
            Command::Cd(target) => self.cd(target.as_deref().unwrap_or("/"), out),
            Command::Cat(targets) => self.cat(targets, out),
            Command::Tree(targets) => self.tree(targets, out),
            Command::Ls(targets) => self.ls(targets, out),
            Command::Find(paths) => self.find(paths, out),
        }
    }

    fn print_history(&self, n: usize, out: &mut String) {
        let first = self.history.len().saturating_sub(n);
        for (i, entry) in self.history.iter().enumerate().skip(first) {
            let _ = writeln!(out, "{i:>5}  {entry}");
        }
    }

    fn cd(&mut self, target: &str, out: &mut String) -> Outcome {
        let matches = visit(&self.root, &self.cwd, target);
        let mut outcome = Outcome::Ok;
        if matches.is_empty() {
            line(out, &format!("cd: {target}: no such directory."));
            return Outcome::Failed;
        }
        for m in matches {
            if m.node.is_dir() {
                self.cwd = m.absolute_path();
            } else {
                line(out, &format!("cd: {target}: not a directory."));
                outcome = Outcome::Failed;
            }
        }
        outcome
    }

    fn cat(&self, targets: &[String], out: &mut String) -> Outcome {
        let mut outcome = Outcome::Ok;
        for target in targets {
            let matches = visit(&self.root, &self.cwd, target);
            if matches.is_empty() {
                line(out, &format!("cat: {target}: No such file or directory."));
                outcome = Outcome::Failed;
            }
            for m in matches {
                match m.node {
                    Node::Dir(_) => {
                        line(out, &format!("cat: {target}: Is a directory"));
                        outcome = Outcome::Failed;
                    }
                    leaf => print_node(leaf, 0, out),
                }
            }
        }
        outcome
    }

    fn tree(&self, targets: &[String], out: &mut String) -> Outcome {
        let mut outcome = Outcome::Ok;
        for target in targets {
            let matches = visit(&self.root, &self.cwd, target);
            if matches.is_empty() {
                line(out, &format!("tree: {target}: No such file or directory."));
                outcome = Outcome::Failed;
            }
            for m in matches {
                print_node(m.node, 0, out);
            }
        }
        outcome
    }

    fn find(&self, paths: &[String], out: &mut String) -> Outcome {
        let mut outcome = Outcome::Ok;
        for path in effective_paths(paths) {
            let matches = visit(&self.root, &self.cwd, &path);
            if matches.is_empty() {
                line(out, &format!("find: {path}: no such file or directory."));
                outcome = Outcome::Failed;
            }
            for m in matches {
                find(&path, m.node, out);
            }
        }
        outcome
    }

    fn ls(&self, targets: &[String], out: &mut String) -> Outcome {
        let mut outcome = Outcome::Ok;
        let mut files: Vec<String> = Vec::new();
        let mut dirs: Vec<(String, Vec<String>)> = Vec::new();
        for target in effective_paths(targets) {
            let matches = visit(&self.root, &self.cwd, &target);
            if matches.is_empty() {
                line(out, &format!("ls: {target}: no such file or directory."));
                outcome = Outcome::Failed;
            }
            for m in matches {
                if m.node.is_dir() {
                    let children = m.node.child_names().iter().map(|s| s.to_string()).collect();
                    dirs.push((m.last_component(), children));
                } else {
                    files.push(m.last_component());
                }
            }
        }
        print_entries(out, "", self.screen_width, &files);
        let need_intro = !files.is_empty() || dirs.len() > 1;
        let mut first_intro = files.is_empty();
        for (name, children) in &dirs {
            let mut intro = String::new();
            if need_intro {
                if !first_intro {
                    intro.push('\n');
                }
                intro.push_str(name);
                intro.push(':');
                first_intro = false;
            }
            print_entries(out, &intro, self.screen_width, children);
        }
        outcome
    }

    /// Completion candidates for the word being typed (Kafka's `completeCommand` /
    /// `completePath`): `words` are the words before the cursor, the last one partial.
    pub(crate) fn complete(&self, words: &[String]) -> Vec<String> {
        match words {
            [] => COMMANDS.iter().map(|c| c.name.to_string()).collect(),
            [prefix] => COMMANDS
                .iter()
                .filter(|c| c.name.starts_with(prefix.as_str()))
                .map(|c| c.name.to_string())
                .collect(),
            [command, rest @ ..] => {
                let last = rest.last().map(String::as_str).unwrap_or("");
                match command.as_str() {
                    "man" if rest.len() == 1 => COMMANDS
                        .iter()
                        .filter(|c| c.name.starts_with(last))
                        .map(|c| c.name.to_string())
                        .collect(),
                    "cd" if rest.len() == 1 => self.complete_path(last),
                    "cat" | "find" | "ls" | "tree" => self.complete_path(last),
                    _ => Vec::new(),
                }
            }
        }
    }

    fn complete_path(&self, prefix: &str) -> Vec<String> {
        let components = absolute_components(&self.cwd, prefix);
        let directories = if prefix.ends_with('/') || prefix.is_empty() {
            components.len()
        } else {
            components.len().saturating_sub(1)
        };
        let mut node = &self.root;
        for c in &components[..directories] {
            match node.child(c) {
                Some(child) if child.is_dir() => node = child,
                _ => return Vec::new(),
            }
        }
        let last = components
            .get(directories)
            .map(String::as_str)
            .unwrap_or("");
        let effective_prefix = match prefix.rfind('/') {
            Some(i) => &prefix[..=i],
            None => "",
        };
        node.child_names()
            .into_iter()
            .filter(|name| name.starts_with(last))
            .map(|name| {
                let is_dir = node.child(name).is_some_and(Node::is_dir);
                format!("{effective_prefix}{name}{}", if is_dir { "/" } else { "" })
            })
            .collect()
    }
}

fn line(out: &mut String, text: &str) {
    out.push_str(text);
    out.push('\n');
}

/// Kafka's `getEffectivePaths`: empty paths dropped, `.` when none remain.
fn effective_paths(paths: &[String]) -> Vec<String> {
    let mut out: Vec<String> = paths.iter().filter(|p| !p.is_empty()).cloned().collect();
    if out.is_empty() {
        out.push(".".to_string());
    }
    out
}

/// Kafka's `ShellNodePrinter`: directories as `name:` with children indented two spaces,
/// leaves as their text.
fn print_node(node: &Node, indent: usize, out: &mut String) {
    match node {
        Node::Leaf(text) => {
            let _ = writeln!(out, "{}{text}", "  ".repeat(indent));
        }
        Node::Dir(children) => {
            for (name, child) in children {
                let _ = writeln!(out, "{}{name}:", "  ".repeat(indent));
                print_node(child, indent + 1, out);
            }
        }
    }
}

fn find(path: &str, node: &Node, out: &mut String) {
    line(out, path);
    if let Node::Dir(children) = node {
        for (name, child) in children {
            let next = if path == "/" {
                format!("/{name}")
            } else {
                format!("{path}/{name}")
            };
            find(&next, child, out);
        }
    }
}

/// Kafka's `LsCommandHandler.printEntries` with its column layout.
fn print_entries(out: &mut String, intro: &str, screen_width: Option<usize>, entries: &[String]) {
    if entries.is_empty() {
        return;
    }
    if !intro.is_empty() {
        line(out, intro);
    }
    let (widths, per_column) = column_schema(screen_width, entries);
    let columns = widths.len();
    let lines = entries.len().div_ceil(columns);
    for row in 0..lines {
        let mut text = String::new();
        for (column, width) in widths.iter().enumerate() {
            if let Some(entry) = entries.get(row + column * per_column) {
                text.push_str(entry);
                if column < columns - 1 {
                    text.push_str(&" ".repeat(width.saturating_sub(entry.chars().count())));
                }
            }
        }
        line(out, &text);
    }
}

/// Kafka's `calculateColumnSchema`: the most columns (up to width / 4) whose widths
/// (longest entry + 2) fit the screen and whose last column is used.
fn column_schema(screen_width: Option<usize>, entries: &[String]) -> (Vec<usize>, usize) {
    let single = (vec![0], entries.len());
    let Some(width) = screen_width else {
        return single;
    };
    let max_columns = width / 4;
    if max_columns <= 1 {
        return single;
    }
    for columns in (2..=max_columns).rev() {
        let per_column = entries.len().div_ceil(columns);
        let mut widths = vec![0usize; columns];
        for (i, entry) in entries.iter().enumerate() {
            let c = i / per_column;
            widths[c] = widths[c].max(entry.chars().count() + 2);
        }
        if widths[columns - 1] != 0 && widths.iter().sum::<usize>() <= width {
            return (widths, per_column);
        }
    }
    single
}

/// `help`: Kafka's greeting and the command list.
fn help(out: &mut String) {
    line(out, "Welcome to the Apache Kafka metadata shell.");
    line(out, "");
    let names = choices(true).join(",");
    line(out, &format!("usage:  {{{names}}} ..."));
    line(out, "");
    line(out, "positional arguments:");
    line(out, &format!("  {{{names}}}"));
    for c in &COMMANDS {
        let _ = writeln!(out, "    {:<21}{}", c.name, c.description);
    }
}

/// `man CMD`: the description and the command's usage.
fn man(cmd: &str, out: &mut String) -> Outcome {
    let Some(c) = COMMANDS.iter().find(|c| c.name == cmd) else {
        line(
            out,
            &format!("man: unknown command {cmd}. Type help to get a list of commands."),
        );
        return Outcome::Failed;
    };
    let _ = writeln!(out, "{}: {}", c.name, c.description);
    line(out, "");
    if c.usage.is_empty() {
        line(out, &format!("usage: {}", c.name));
    } else {
        line(out, &format!("usage: {} {}", c.name, c.usage));
    }
    if !c.argument_help.is_empty() {
        line(out, "");
        line(out, "positional arguments:");
        for (arg, text) in c.argument_help {
            let _ = writeln!(out, "  {arg:<21}{text}");
        }
    }
    Outcome::Ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        split_words(s)
    }

    #[test]
    fn lines_split_on_whitespace_and_quotes() {
        assert_eq!(
            words("  ls  /a 'b c' \"d\\\"e\" "),
            vec!["ls", "/a", "b c", "d\"e"]
        );
        assert!(words("   ").is_empty());
    }

    #[test]
    fn shell_only_commands_are_refused_outside_the_shell() {
        assert_eq!(parse_command(&words("pwd"), true), Command::Pwd);
        assert!(matches!(
            parse_command(&words("pwd"), false),
            Command::Erroneous(_)
        ));
        assert_eq!(
            parse_command(&words("l"), true),
            Command::Erroneous("invalid choice: 'l': did you mean 'ls'?".to_string())
        );
        assert_eq!(
            parse_command(&words("cat"), false),
            Command::Erroneous("too few arguments".to_string())
        );
        assert_eq!(
            parse_command(&words("history 3"), true),
            Command::History(3)
        );
        assert_eq!(parse_command(&[], true), Command::NoOp);
    }

    fn sample_tree() -> Node {
        let leaf = |s: &str| Node::Leaf(s.to_string());
        let topics = Node::Dir(
            [
                ("foo".to_string(), leaf("x")),
                ("fob".to_string(), leaf("y")),
            ]
            .into_iter()
            .collect(),
        );
        let image = Node::Dir(
            [
                ("topics".to_string(), topics),
                ("provenance".to_string(), leaf("p")),
            ]
            .into_iter()
            .collect(),
        );
        Node::Dir([("image".to_string(), image)].into_iter().collect())
    }

    #[test]
    fn tab_completes_commands_directories_and_files() {
        let mut state = ShellState::new(sample_tree());
        assert_eq!(state.complete(&words("h")), vec!["help", "history"]);
        assert_eq!(
            state.complete(&["ls".to_string(), "/im".to_string()]),
            vec!["/image/"]
        );
        assert_eq!(
            state.complete(&["cat".to_string(), "/image/topics/fo".to_string()]),
            vec!["/image/topics/fob", "/image/topics/foo"]
        );
        assert_eq!(
            state.complete(&["man".to_string(), "tr".to_string()]),
            vec!["tree"]
        );
        let mut out = String::new();
        assert_eq!(
            state.run(&Command::Cd(Some("image".to_string())), &mut out),
            Outcome::Ok
        );
        assert_eq!(
            state.complete(&["cd".to_string(), String::new()]),
            vec!["provenance", "topics/"]
        );
        assert!(state
            .complete(&["pwd".to_string(), String::new()])
            .is_empty());
    }

    #[test]
    fn cd_refuses_files_and_missing_paths() {
        let mut state = ShellState::new(sample_tree());
        let mut out = String::new();
        assert_eq!(
            state.run(
                &Command::Cd(Some("/image/provenance".to_string())),
                &mut out
            ),
            Outcome::Failed
        );
        assert_eq!(
            state.run(&Command::Cd(Some("/nope".to_string())), &mut out),
            Outcome::Failed
        );
        assert_eq!(
            out,
            "cd: /image/provenance: not a directory.\ncd: /nope: no such directory.\n"
        );
        assert_eq!(state.cwd, "/");
        assert_eq!(
            state.run(&Command::Cd(Some("/image/topics/..".to_string())), &mut out),
            Outcome::Ok
        );
        assert_eq!(state.cwd, "/image");
    }

    #[test]
    fn ls_uses_columns_that_fit_the_screen() {
        let entries: Vec<String> = ["a", "bb", "ccc", "dddd", "e"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let mut out = String::new();
        print_entries(&mut out, "", Some(20), &entries);
        assert_eq!(out, "a   ccc   e\nbb  dddd  \n");
        let mut out = String::new();
        print_entries(&mut out, "", None, &entries);
        assert_eq!(out, "a\nbb\nccc\ndddd\ne\n");
    }
}
