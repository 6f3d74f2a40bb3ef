//! NFS `exports` files (exports(5)), parsed with byte spans so that findings point at a client's
//! options.
//!
//! The grammar follows nfs-utils' own reader (`support/nfs/exports.c`, `xio.c`):
//!
//! ```text
//! # comment                                   a `#` where a token starts runs to the end of the line
//! /data        10.0.0.0/16(rw,insecure)       path, then clients, each `host(options)`
//! "/my data"   -rw,insecure  a.example  b(ro) `-options` set defaults for the clients after them
//! /srv         *(ro) \                        a backslash before the newline continues the line
//!              192.168.0.0/24(rw)
//! /home        bob (rw)                       `(rw)` alone is a client too: everyone (`*`)
//! /pub                                        no client at all: everyone, default options
//! ```
//!
//! One deliberate leniency: whitespace inside parentheses does not split a token, so
//! `host(rw, insecure)` is read as the author meant it (exportfs itself rejects that line).

use crate::source::Span;

/// A piece of the file: its text with quotes kept and continuations removed, and where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tok {
    pub text: String,
    pub span: Span,
}

/// One client of an export line.
#[derive(Clone, Debug)]
pub struct Client {
    /// The host (`10.0.0.0/16`, `*.example.com`, `@netgroup`); `None` when the line gives options
    /// without a host (`(rw)`) or no client at all: the export is for everyone.
    pub host: Option<Tok>,
    /// The parenthesised options, parentheses included: `(rw,insecure)`.
    pub options: Option<Tok>,
    /// Index (in the line's tokens) of this client's token; `None` for the implicit client of a
    /// line that names none.
    pub token: Option<usize>,
    /// The `-options` tokens in force for this client, in order.
    pub defaults: Vec<Tok>,
}

/// A token of an export line after the path.
#[derive(Clone, Debug)]
pub enum Item {
    /// `-rw,insecure`: default options for the clients after it.
    Defaults(Tok),
    /// Index into [`Export::clients`].
    Client(usize),
}

/// One logical line of an exports file.
#[derive(Clone, Debug)]
pub struct Export {
    pub path: Tok,
    pub items: Vec<Item>,
    pub clients: Vec<Client>,
    /// From the path to the end of the last token.
    pub span: Span,
}

/// The option names of an option list (`(rw,sec=krb5)` or `-rw,insecure`): `rw`, `sec`.
pub fn option_names(list: &str) -> impl Iterator<Item = &str> {
    list.trim_start_matches('-')
        .trim_start_matches('(')
        .trim_end_matches(')')
        .split(',')
        .map(|o| o.split('=').next().unwrap_or("").trim())
        .filter(|o| !o.is_empty())
}

/// What the `secure`/`insecure` option comes to for a client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PortCheck {
    /// `insecure` is in force: clients may use any source port.
    Insecure,
    /// No option says anything: the default, `secure` (source ports below 1024 only).
    DefaultSecure,
    /// An explicit `secure` (in the client's options or its defaults) wins.
    Secure,
}

impl Client {
    /// The effective port check: defaults first, then the client's own options; the last of
    /// `secure`/`insecure` wins, as in nfs-utils' `parseopts`.
    pub fn port_check(&self) -> PortCheck {
        let mut state = PortCheck::DefaultSecure;
        let lists = self
            .defaults
            .iter()
            .chain(self.options.iter())
            .map(|t| t.text.as_str());
        for name in lists.flat_map(option_names) {
            match name {
                "insecure" => state = PortCheck::Insecure,
                "secure" => state = PortCheck::Secure,
                _ => {}
            }
        }
        state
    }

    /// Who the client is, for messages: the host, or `*` for everyone.
    pub fn who(&self) -> &str {
        self.host.as_ref().map_or("*", |h| h.text.as_str())
    }
}

impl Export {
    /// The client right after client `i` when it is a host-less option list separated from
    /// client `i` (which has no options) by whitespace only: `bob (rw)`, the classic mistake
    /// that gives `(rw)` to everyone and `bob` the defaults.
    pub fn detached_options(&self, i: usize) -> Option<usize> {
        let c = self.clients.get(i)?;
        let t = c.token?;
        if c.host.is_none() || c.options.is_some() {
            return None;
        }
        let next = self.clients.get(i + 1)?;
        (next.token == Some(t + 1) && next.host.is_none() && next.options.is_some())
            .then_some(i + 1)
    }

    /// The line with every client that lacks `insecure` given it (and a detached option list
    /// joined to its host), on one line.
    pub fn fixed_line(&self) -> String {
        let mut parts = vec![self.path.text.clone()];
        let mut skip = None;
        for item in &self.items {
            match item {
                Item::Defaults(t) => parts.push(t.text.clone()),
                Item::Client(i) => {
                    if skip == Some(*i) {
                        continue;
                    }
                    let c = &self.clients[*i];
                    if let Some(j) = self.detached_options(*i) {
                        let opts = &self.clients[j];
                        parts.push(format!("{}{}", c.who(), fixed_options(opts)));
                        skip = Some(j);
                        continue;
                    }
                    let host = c.host.as_ref().map_or("*", |h| h.text.as_str());
                    match (c.port_check(), &c.options) {
                        (PortCheck::Insecure, Some(o)) => parts.push(format!("{host}{}", o.text)),
                        (PortCheck::Insecure, None) => parts.push(host.to_string()),
                        _ => parts.push(format!("{host}{}", fixed_options(c))),
                    }
                }
            }
        }
        if self.clients.iter().all(|c| c.token.is_none()) {
            // A line without clients exports to everyone.
            if let Some(c) = self.clients.first()
                && c.port_check() != PortCheck::Insecure
            {
                parts.push(format!("*{}", fixed_options(c)));
            }
        }
        parts.join(" ")
    }
}

/// A client's option list with `insecure` in force: `secure` becomes `insecure`, or `insecure`
/// is appended.
fn fixed_options(c: &Client) -> String {
    let Some(o) = &c.options else {
        return if c.port_check() == PortCheck::Insecure {
            String::new()
        } else {
            "(insecure)".to_string()
        };
    };
    let inner = o.text.trim_start_matches('(').trim_end_matches(')');
    let mut opts: Vec<String> = inner
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    opts.retain(|s| s != "secure");
    if !opts.iter().any(|s| s == "insecure") {
        opts.push("insecure".to_string());
    }
    format!("({})", opts.join(","))
}

/// A raw token as the tokenizer found it.
struct RawTok {
    text: String,
    start: usize,
    end: usize,
}

/// Whether the text reads as an exports file: at least one export, and every (logical) line that
/// is not blank or a comment starts with a path. Files named `exports` are often something else —
/// shell dotfiles full of `export FOO=...` — and those must not be linted as NFS exports.
pub fn looks_like_exports(text: &str) -> bool {
    let lines = logical_lines(text);
    !lines.is_empty() && lines.iter().all(|l| is_path(&l[0].text))
}

fn is_path(token: &str) -> bool {
    token.starts_with('/') || token.starts_with("\"/")
}

/// Parses an exports file. Lines whose first token is not a path (`/...`, or quoted) are not
/// exports and are skipped.
pub fn parse(text: &str) -> Vec<Export> {
    let mut out = Vec::new();
    for line in logical_lines(text) {
        if let Some(e) = export_of(line) {
            out.push(e);
        }
    }
    out
}

fn export_of(tokens: Vec<RawTok>) -> Option<Export> {
    let mut it = tokens.into_iter();
    let first = it.next()?;
    if !is_path(&first.text) {
        return None;
    }
    let path = Tok {
        text: first.text,
        span: Span::new(first.start, first.end),
    };
    let mut end = first.end;
    let mut items = Vec::new();
    let mut clients = Vec::new();
    let mut defaults: Vec<Tok> = Vec::new();
    for (n, t) in it.enumerate() {
        end = t.end;
        if t.text.starts_with('-') {
            let tok = Tok {
                text: t.text,
                span: Span::new(t.start, t.end),
            };
            defaults.push(tok.clone());
            items.push(Item::Defaults(tok));
            continue;
        }
        let (host, options) = match t.text.find('(') {
            Some(p) => {
                // Byte offsets inside the token map to the file only when the token has no
                // continuation inside; otherwise point at the whole token.
                let straight = t.end - t.start == t.text.len();
                let at = if straight { t.start + p } else { t.start };
                let host = (p > 0).then(|| Tok {
                    text: t.text[..p].to_string(),
                    span: Span::new(t.start, at),
                });
                let options = Tok {
                    text: t.text[p..].to_string(),
                    span: Span::new(at, t.end),
                };
                (host, Some(options))
            }
            None => (
                Some(Tok {
                    text: t.text,
                    span: Span::new(t.start, t.end),
                }),
                None,
            ),
        };
        items.push(Item::Client(clients.len()));
        clients.push(Client {
            host,
            options,
            token: Some(n),
            defaults: defaults.clone(),
        });
    }
    if clients.is_empty() {
        clients.push(Client {
            host: None,
            options: None,
            token: None,
            defaults,
        });
    }
    let span = Span::new(path.span.start as usize, end);
    Some(Export {
        path,
        items,
        clients,
        span,
    })
}

/// Splits the text into logical lines of tokens, honouring comments, quotes, continuations and
/// (leniently) whitespace inside parentheses.
fn logical_lines(text: &str) -> Vec<Vec<RawTok>> {
    let b = text.as_bytes();
    let mut lines = Vec::new();
    let mut cur: Vec<RawTok> = Vec::new();
    let mut i = 0;
    // A backslash before the line end (`\n` or `\r\n`): how many bytes the continuation takes.
    let continuation = |i: usize| -> Option<usize> {
        if b.get(i) != Some(&b'\\') {
            return None;
        }
        match (b.get(i + 1), b.get(i + 2)) {
            (Some(b'\n'), _) => Some(2),
            (Some(b'\r'), Some(b'\n')) => Some(3),
            _ => None,
        }
    };
    while i < b.len() {
        let c = b[i];
        if c == b'\n' {
            if !cur.is_empty() {
                lines.push(std::mem::take(&mut cur));
            }
            i += 1;
            continue;
        }
        if c == b' ' || c == b'\t' || c == b'\r' {
            i += 1;
            continue;
        }
        if let Some(n) = continuation(i) {
            i += n;
            continue;
        }
        if c == b'#' {
            // A comment runs to the end of the physical line; continuations do not extend it.
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        // A token.
        let start = i;
        let mut tok = String::new();
        let mut quoted = false;
        let mut depth = 0usize;
        let mut last = i;
        while i < b.len() {
            let c = b[i];
            if c == b'\n' {
                break;
            }
            if let Some(n) = continuation(i) {
                if depth > 0 || quoted {
                    i += n;
                    continue;
                }
                break;
            }
            if !quoted && depth == 0 && (c == b' ' || c == b'\t' || c == b'\r') {
                break;
            }
            if !quoted && (c == b' ' || c == b'\t' || c == b'\r') {
                // Whitespace inside parentheses: dropped.
                i += 1;
                continue;
            }
            match c {
                b'"' => quoted = !quoted,
                b'(' if !quoted => depth += 1,
                b')' if !quoted => depth = depth.saturating_sub(1),
                _ => {}
            }
            // Push the whole UTF-8 character.
            let ch_len = text[i..].chars().next().map_or(1, char::len_utf8);
            tok.push_str(&text[i..i + ch_len]);
            i += ch_len;
            last = i;
        }
        cur.push(RawTok {
            text: tok,
            start,
            end: last,
        });
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str, span: Span) -> &str {
        &text[span.range()]
    }

    #[test]
    fn the_faq_line() {
        let text = "/data/  10.0.0.0/16(rw,insecure)\n";
        let e = parse(text);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].path.text, "/data/");
        let c = &e[0].clients[0];
        assert_eq!(c.who(), "10.0.0.0/16");
        assert_eq!(at(text, c.options.as_ref().unwrap().span), "(rw,insecure)");
        assert_eq!(at(text, c.host.as_ref().unwrap().span), "10.0.0.0/16");
        assert_eq!(c.port_check(), PortCheck::Insecure);
        assert_eq!(e[0].fixed_line(), "/data/ 10.0.0.0/16(rw,insecure)");
    }

    #[test]
    fn comments_blank_lines_and_several_clients() {
        let text = "# exports\n\n/a  h1(rw) h2(ro,insecure)   # trailing comment (rw)\n   # indented\n/b h3\n";
        let e = parse(text);
        assert_eq!(e.len(), 2);
        let who: Vec<_> = e[0].clients.iter().map(Client::who).collect();
        assert_eq!(who, ["h1", "h2"]);
        assert_eq!(e[0].clients[0].port_check(), PortCheck::DefaultSecure);
        assert_eq!(e[0].clients[1].port_check(), PortCheck::Insecure);
        assert_eq!(e[0].fixed_line(), "/a h1(rw,insecure) h2(ro,insecure)");
        // A client without options: default options, `secure`.
        let c = &e[1].clients[0];
        assert!(c.options.is_none());
        assert_eq!(at(text, c.host.as_ref().unwrap().span), "h3");
        assert_eq!(e[1].fixed_line(), "/b h3(insecure)");
    }

    #[test]
    fn continuation_lines() {
        let text = "/srv *(ro) \\\n     192.168.0.0/24(rw)\n/next h(insecure)\n";
        let e = parse(text);
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].clients.len(), 2);
        let c = &e[0].clients[1];
        assert_eq!(at(text, c.options.as_ref().unwrap().span), "(rw)");
        assert_eq!(
            e[0].fixed_line(),
            "/srv *(ro,insecure) 192.168.0.0/24(rw,insecure)"
        );
        // A continuation inside the parentheses joins the options.
        let text = "/srv h(rw,\\\n  insecure)\n";
        let e = parse(text);
        assert_eq!(
            e[0].clients[0].options.as_ref().unwrap().text,
            "(rw,insecure)"
        );
        assert_eq!(e[0].clients[0].port_check(), PortCheck::Insecure);
        // CRLF line ends.
        let e = parse("/a h(rw)\r\n/b \\\r\n h(insecure)\r\n");
        assert_eq!(e.len(), 2);
        assert_eq!(e[1].clients[0].port_check(), PortCheck::Insecure);
    }

    #[test]
    fn default_options() {
        let text = "/data -rw,insecure a b(ro) c(secure)\n/x -sync d\n";
        let e = parse(text);
        let checks: Vec<_> = e[0].clients.iter().map(Client::port_check).collect();
        assert_eq!(
            checks,
            [PortCheck::Insecure, PortCheck::Insecure, PortCheck::Secure]
        );
        assert_eq!(e[0].fixed_line(), "/data -rw,insecure a b(ro) c(insecure)");
        // Defaults reset on the next line.
        assert_eq!(e[1].clients[0].port_check(), PortCheck::DefaultSecure);
        assert_eq!(e[1].fixed_line(), "/x -sync d(insecure)");
    }

    #[test]
    fn hostless_options_and_the_detached_mistake() {
        let text = "/home bob (rw,insecure)\n";
        let e = parse(text);
        assert_eq!(e[0].clients.len(), 2);
        assert_eq!(e[0].clients[1].who(), "*");
        assert_eq!(e[0].detached_options(0), Some(1));
        assert_eq!(e[0].fixed_line(), "/home bob(rw,insecure)");
        // A path alone exports to everyone with the defaults.
        let e = parse("/pub\n/pub2 -insecure\n");
        assert_eq!(e[0].clients.len(), 1);
        assert!(e[0].clients[0].token.is_none());
        assert_eq!(e[0].fixed_line(), "/pub *(insecure)");
        assert_eq!(e[1].clients[0].port_check(), PortCheck::Insecure);
    }

    #[test]
    fn quotes_spaces_in_parentheses_and_lookalike_options() {
        let text = "\"/my data\" h(rw, insecure) g(insecure_locks)\nnot-a-path h(rw)\n";
        let e = parse(text);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].path.text, "\"/my data\"");
        assert_eq!(
            e[0].clients[0].options.as_ref().unwrap().text,
            "(rw,insecure)"
        );
        assert_eq!(e[0].clients[0].port_check(), PortCheck::Insecure);
        // `insecure_locks` is another option.
        assert_eq!(e[0].clients[1].port_check(), PortCheck::DefaultSecure);
        assert_eq!(
            option_names("(rw,sec=krb5:krb5i,insecure)").collect::<Vec<_>>(),
            ["rw", "sec", "insecure"]
        );
    }

    #[test]
    fn shell_files_named_exports_are_not_exports() {
        let shell =
            "#!/bin/bash\nEDITOR=/usr/bin/vim\n/usr/local/bin/setup --quiet\nexport EDITOR\n";
        assert!(!looks_like_exports(shell));
        assert!(!looks_like_exports("# only comments\n\n"));
        assert!(looks_like_exports(
            "# nfs\n/data h(rw) \\\n  g(ro)\n\n\"/x y\" *(ro)\n"
        ));
    }

    #[test]
    fn secure_then_insecure_last_wins() {
        let e = parse("/a h(secure,insecure) g(insecure,secure) k()\n");
        let checks: Vec<_> = e[0].clients.iter().map(Client::port_check).collect();
        assert_eq!(
            checks,
            [
                PortCheck::Insecure,
                PortCheck::Secure,
                PortCheck::DefaultSecure
            ]
        );
        assert_eq!(
            e[0].fixed_line(),
            "/a h(secure,insecure) g(insecure) k(insecure)"
        );
    }
}
