//! Path globs as Kafka's shell reads them (`GlobComponent`, `GlobVisitor`, `CommandUtils`):
//! `?` one character, `*` any run, `{a,b}` alternatives (not nested), `\x` a literal `x`.
//! A component without special characters, or an invalid one, matches only itself.

use super::node::Node;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Literal(char),
    One,
    Any,
    Group(Vec<Vec<Token>>),
}

/// One path component of a glob.
#[derive(Debug, Clone)]
pub(crate) struct GlobComponent {
    text: String,
    /// None: a literal component, compared as a string.
    pattern: Option<Vec<Token>>,
}

impl GlobComponent {
    /// Parses a component; invalid patterns (nested or unterminated groups) become literals,
    /// as in Kafka.
    pub(crate) fn new(text: &str) -> Self {
        GlobComponent {
            text: text.to_string(),
            pattern: parse(text),
        }
    }

    /// True when the component has no wildcard.
    pub(crate) fn is_literal(&self) -> bool {
        self.pattern.is_none()
    }

    /// Whether `name` matches.
    pub(crate) fn matches(&self, name: &str) -> bool {
        match &self.pattern {
            None => self.text == name,
            Some(tokens) => {
                let chars: Vec<char> = name.chars().collect();
                match_tokens(tokens, &chars)
            }
        }
    }
}

/// Tokens of a glob, or None when it is literal or invalid.
fn parse(glob: &str) -> Option<Vec<Token>> {
    let mut literal = true;
    let mut top: Vec<Token> = Vec::new();
    let mut group: Option<Vec<Vec<Token>>> = None;
    let mut chars = glob.chars();
    while let Some(c) = chars.next() {
        let token = match c {
            '?' => {
                literal = false;
                Token::One
            }
            '*' => {
                literal = false;
                Token::Any
            }
            '\\' => match chars.next() {
                Some(next) => Token::Literal(next),
                None => Token::Literal('\\'),
            },
            '{' => {
                if group.is_some() {
                    return None; // "Can't nest glob groups."
                }
                literal = false;
                group = Some(vec![Vec::new()]);
                continue;
            }
            ',' if group.is_some() => {
                if let Some(g) = group.as_mut() {
                    g.push(Vec::new());
                }
                continue;
            }
            '}' if group.is_some() => {
                if let Some(g) = group.take() {
                    top.push(Token::Group(g));
                }
                continue;
            }
            other => Token::Literal(other),
        };
        match group.as_mut().and_then(|g| g.last_mut()) {
            Some(alternative) => alternative.push(token),
            None => top.push(token),
        }
    }
    if group.is_some() || literal {
        // Unterminated group, or nothing special: a literal component.
        return None;
    }
    Some(top)
}

fn match_tokens(tokens: &[Token], s: &[char]) -> bool {
    let Some((first, rest)) = tokens.split_first() else {
        return s.is_empty();
    };
    match first {
        Token::Literal(c) => s.first() == Some(c) && match_tokens(rest, &s[1..]),
        Token::One => !s.is_empty() && match_tokens(rest, &s[1..]),
        Token::Any => (0..=s.len()).any(|skip| match_tokens(rest, &s[skip..])),
        Token::Group(alternatives) => alternatives.iter().any(|alt| {
            let mut joined = alt.clone();
            joined.extend_from_slice(rest);
            match_tokens(&joined, s)
        }),
    }
}

/// Kafka's `splitPath`: components without empty ones.
pub(crate) fn split_path(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect()
}

/// Kafka's `stripDotPathComponents`: `.` dropped, `..` pops.
pub(crate) fn strip_dots(components: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in components {
        if c == ".." {
            out.pop();
        } else if c != "." {
            out.push(c);
        }
    }
    out
}

/// The absolute components of `path` seen from `cwd`.
pub(crate) fn absolute_components(cwd: &str, path: &str) -> Vec<String> {
    let full = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("{cwd}/{path}")
    };
    strip_dots(split_path(&full))
}

/// A node a glob matched.
#[derive(Debug)]
pub(crate) struct Match<'a> {
    pub(crate) path: Vec<String>,
    pub(crate) node: &'a Node,
}

impl Match<'_> {
    /// The last component, `/` for the root.
    pub(crate) fn last_component(&self) -> String {
        self.path.last().cloned().unwrap_or_else(|| "/".to_string())
    }

    /// `/a/b`.
    pub(crate) fn absolute_path(&self) -> String {
        format!("/{}", self.path.join("/"))
    }
}

/// Every node `glob` matches from `cwd`, in sorted order (Kafka's `GlobVisitor`).
pub(crate) fn visit<'a>(root: &'a Node, cwd: &str, glob: &str) -> Vec<Match<'a>> {
    let components = absolute_components(cwd, glob);
    let mut out = Vec::new();
    walk(root, &components, Vec::new(), &mut out);
    out
}

fn walk<'a>(node: &'a Node, components: &[String], path: Vec<String>, out: &mut Vec<Match<'a>>) {
    let Some((first, rest)) = components.split_first() else {
        out.push(Match { path, node });
        return;
    };
    if !node.is_dir() {
        return;
    }
    let component = GlobComponent::new(first);
    if component.is_literal() {
        if let Some(child) = node.child(first) {
            let mut next = path;
            next.push(first.clone());
            walk(child, rest, next, out);
        }
        return;
    }
    for name in node.child_names() {
        if component.matches(name) {
            if let Some(child) = node.child(name) {
                let mut next = path.clone();
                next.push(name.to_string());
                walk(child, rest, next, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_like_kafka() {
        assert!(GlobComponent::new("foo").is_literal());
        assert!(GlobComponent::new("f*").matches("foo"));
        assert!(!GlobComponent::new("f*").matches("bar"));
        assert!(GlobComponent::new("?oo").matches("foo"));
        assert!(GlobComponent::new("{foo,bar}").matches("bar"));
        assert!(!GlobComponent::new("{foo,bar}").matches("baz"));
        assert!(GlobComponent::new("b{a,o}*").matches("boz"));
        assert!(GlobComponent::new("\\*x*").matches("*xy"));
        assert!(!GlobComponent::new("\\*x*").matches("axy"));
        // Invalid groups compare literally.
        assert!(GlobComponent::new("{a,{b}}").is_literal());
        assert!(GlobComponent::new("{ab").matches("{ab"));
    }

    #[test]
    fn dots_are_resolved_against_the_working_directory() {
        assert_eq!(absolute_components("/image/topics", ".."), vec!["image"]);
        assert_eq!(
            absolute_components("/image", "./topics//byName"),
            vec!["image", "topics", "byName"]
        );
        assert_eq!(absolute_components("/image", "/"), Vec::<String>::new());
        assert_eq!(absolute_components("/", "../.."), Vec::<String>::new());
    }
}
