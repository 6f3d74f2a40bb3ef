//! What a scalar *is to Kubernetes*.
//!
//! Kubernetes decodes manifests with sigs.k8s.io/yaml over go-yaml v2, which resolves plain scalars
//! with the YAML 1.1 rules: `yes`, `on`, `y`, `off` are booleans, `0x1F` and `1_000` are integers,
//! `.inf` is a float, `~` and the empty scalar are null. saphyr resolves YAML 1.2, so rules never ask
//! saphyr: they ask this module, which looks at the raw text and the style.

use super::{Scalar, Style};

/// The type Kubernetes gives a node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum K8sType {
    String,
    Bool,
    Int,
    Float,
    Null,
    Mapping,
    Sequence,
}

impl K8sType {
    pub fn name(self) -> &'static str {
        match self {
            K8sType::String => "string",
            K8sType::Bool => "boolean",
            K8sType::Int => "integer",
            K8sType::Float => "number",
            K8sType::Null => "null",
            K8sType::Mapping => "mapping",
            K8sType::Sequence => "sequence",
        }
    }

    /// The name with its article: "an integer", "a boolean".
    pub fn a_name(self) -> &'static str {
        match self {
            K8sType::String => "a string",
            K8sType::Bool => "a boolean",
            K8sType::Int => "an integer",
            K8sType::Float => "a number",
            K8sType::Null => "null",
            K8sType::Mapping => "a mapping",
            K8sType::Sequence => "a sequence",
        }
    }
}

/// The Kubernetes (YAML 1.1) type of a scalar.
pub fn k8s_type(s: &Scalar<'_>) -> K8sType {
    if s.style != Style::Plain {
        // Quoted and block scalars are strings, unless explicitly tagged otherwise.
        return match s.tag() {
            Some(t) => tagged(t).unwrap_or(K8sType::String),
            None => K8sType::String,
        };
    }
    if let Some(k) = s.tag().and_then(tagged) {
        return k;
    }
    resolve_plain(s.value)
}

fn tagged(tag: &str) -> Option<K8sType> {
    Some(match tag {
        "!!str" | "!!binary" | "!!timestamp" => K8sType::String,
        "!!bool" => K8sType::Bool,
        "!!int" => K8sType::Int,
        "!!float" => K8sType::Float,
        "!!null" => K8sType::Null,
        _ => return None,
    })
}

/// Resolves a plain scalar the way go-yaml v2 does.
pub fn resolve_plain(v: &str) -> K8sType {
    match v {
        "" | "~" | "null" | "Null" | "NULL" => return K8sType::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "n" | "N" | "no" | "No" | "NO" | "true" | "True"
        | "TRUE" | "false" | "False" | "FALSE" | "on" | "On" | "ON" | "off" | "Off" | "OFF" => {
            return K8sType::Bool;
        }
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" | "-.inf" | "-.Inf" | "-.INF"
        | ".nan" | ".NaN" | ".NAN" => return K8sType::Float,
        _ => {}
    }
    let first = v.as_bytes()[0];
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return K8sType::String;
    }
    if is_int(v) {
        return K8sType::Int;
    }
    if is_float(v) {
        return K8sType::Float;
    }
    K8sType::String
}

fn is_int(v: &str) -> bool {
    let plain: String = v.chars().filter(|&c| c != '_').collect();
    let body = plain
        .strip_prefix('-')
        .or_else(|| plain.strip_prefix('+'))
        .unwrap_or(&plain);
    let (digits, radix) = radix_digits(body);
    !digits.is_empty() && digits.chars().all(|c| c.is_digit(radix))
}

/// An unsigned integer's digits and base as Go's `ParseInt(s, 0, 64)` reads them: `0x` hex, `0b`
/// binary, `0o` or a leading `0` octal (the prefixes in either case), else decimal.
fn radix_digits(body: &str) -> (&str, u32) {
    let prefixed = |lower: &str, upper: &str| {
        body.strip_prefix(lower)
            .or_else(|| body.strip_prefix(upper))
    };
    if let Some(h) = prefixed("0x", "0X") {
        (h, 16)
    } else if let Some(b) = prefixed("0b", "0B") {
        (b, 2)
    } else if let Some(o) = prefixed("0o", "0O") {
        (o, 8)
    } else if body.len() > 1 && body.starts_with('0') {
        (&body[1..], 8)
    } else {
        (body, 10)
    }
}

/// The value of a plain scalar that resolves as an integer ([`resolve_plain`]), as go-yaml v2
/// reads it: `0x1F` is 31, `1_000` is 1000, `0755` is octal (493), `0b101` is 5. `None` for
/// anything else, or a value beyond `i128`.
pub fn int_value(v: &str) -> Option<i128> {
    if resolve_plain(v) != K8sType::Int {
        return None;
    }
    let plain: String = v.chars().filter(|&c| c != '_').collect();
    let (negative, body) = match plain.as_bytes().first() {
        Some(b'-') => (true, &plain[1..]),
        Some(b'+') => (false, &plain[1..]),
        _ => (false, &plain[..]),
    };
    let (digits, radix) = radix_digits(body);
    let n = i128::from_str_radix(digits, radix).ok()?;
    Some(if negative { -n } else { n })
}

/// What Kubernetes makes of a mapping key written as a plain scalar.
#[derive(Debug, PartialEq, Eq)]
pub enum KeyAs {
    /// A string, as written.
    Same,
    /// A boolean or number that sigs.k8s.io/yaml turns back into a string, but not the one written:
    /// `on` becomes `true`, `010` becomes `8`, `1.10` becomes `1.1`.
    Becomes(String, K8sType),
    /// A null, or an integer beyond `int64` (that is not read as a float): sigs.k8s.io/yaml
    /// rejects the object ("Unsupported map key").
    Unusable(K8sType),
}

/// The key sigs.k8s.io/yaml makes of a plain, untagged scalar key: go-yaml v2 resolves it (YAML
/// 1.1), then a boolean becomes `true`/`false`, an integer its decimal digits and a float Go's
/// `FormatFloat(f, 'g', -1, 32)`; a null or an unsigned 64-bit integer is an error.
pub fn key_as(v: &str) -> KeyAs {
    let made = match resolve_plain(v) {
        K8sType::String | K8sType::Mapping | K8sType::Sequence => return KeyAs::Same,
        K8sType::Null => return KeyAs::Unusable(K8sType::Null),
        K8sType::Bool => {
            let t = matches!(
                v,
                "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON"
            );
            (t.to_string(), K8sType::Bool)
        }
        K8sType::Int => match int_value(v) {
            Some(n) if i64::try_from(n).is_ok() => (n.to_string(), K8sType::Int),
            Some(n) if u64::try_from(n).is_ok() => return KeyAs::Unusable(K8sType::Int),
            // Beyond 64 bits go-yaml v2 tries a float (decimal digits), and failing that a big
            // integer (`0x…`), which is no key either.
            _ if is_float(v) => (go_float32_text(v), K8sType::Float),
            _ => return KeyAs::Unusable(K8sType::Int),
        },
        K8sType::Float => (go_float32_text(v), K8sType::Float),
    };
    if made.0 == v {
        KeyAs::Same
    } else {
        KeyAs::Becomes(made.0, made.1)
    }
}

/// A float's text as Go's `strconv.FormatFloat(f, 'g', -1, 32)` writes it, with go-yaml's names
/// for the infinities and NaN: the shortest digits that read back as the same `float32`, in
/// exponent form (`1e+06`, `1.5e-05`) when the exponent is below -4 or at least 6.
fn go_float32_text(v: &str) -> String {
    let plain: String = v.chars().filter(|&c| c != '_').collect();
    let lower = plain.to_ascii_lowercase();
    let f: f64 = match lower.trim_start_matches('+') {
        ".inf" => f64::INFINITY,
        "-.inf" => f64::NEG_INFINITY,
        ".nan" => f64::NAN,
        other => other.parse().unwrap_or(f64::NAN),
    };
    let x = f as f32;
    if x.is_nan() {
        return ".nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { ".inf" } else { "-.inf" }.into();
    }
    let sci = format!("{x:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if x != 0.0 && !(-4..6).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exp.abs())
    } else {
        format!("{x}")
    }
}

/// Whether go-yaml v2 reads a plain scalar (that is not an integer) as a float: one starting with
/// `.` goes to Go's `ParseFloat` as written (no `_`); any other must match
/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$` once `_` are removed. Either way a
/// value beyond `f64` (`1e400`) is a range error in Go, and stays a string.
fn is_float(v: &str) -> bool {
    let plain: std::borrow::Cow<'_, str> = if v.starts_with('.') {
        if v.contains('_') {
            return false;
        }
        v.into()
    } else {
        v.chars().filter(|&c| c != '_').collect::<String>().into()
    };
    float_syntax(&plain) && plain.parse::<f64>().is_ok_and(f64::is_finite)
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
fn float_syntax(plain: &str) -> bool {
    let b = plain.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let s = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - s
    };
    if i < b.len() && b[i] == b'.' {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if i < b.len() && b[i] == b'.' {
            i += 1;
            digits(&mut i);
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_1_1_resolution() {
        for v in ["yes", "no", "on", "off", "y", "n", "true", "False", "ON"] {
            assert_eq!(resolve_plain(v), K8sType::Bool, "{v}");
        }
        for v in ["~", "null", ""] {
            assert_eq!(resolve_plain(v), K8sType::Null, "{v}");
        }
        for v in [
            "80", "0x1F", "0X1F", "0B101", "0O17", "1_000", "-3", "0755", "0b101", "+7",
        ] {
            assert_eq!(resolve_plain(v), K8sType::Int, "{v}");
        }
        for v in ["1.5", ".inf", "-.Inf", ".NaN", "1e3", "6.", ".5", "09"] {
            assert_eq!(resolve_plain(v), K8sType::Float, "{v}");
        }
        for v in [
            "apps/v1",
            "yes please",
            "1.2.3",
            "0x",
            "1Gi",
            "500m",
            "v1",
            "-",
            "2021-01-01",
            "1e",
            "Yes!",
            "nginx:1.25",
            "1e400",
            "._5",
        ] {
            assert_eq!(resolve_plain(v), K8sType::String, "{v}");
        }
    }

    #[test]
    fn keys_as_sigs_k8s_io_yaml_makes_them() {
        let becomes = |v: &str| match key_as(v) {
            KeyAs::Becomes(s, _) => Some(s),
            _ => None,
        };
        for (v, made) in [
            ("on", "true"),
            ("Yes", "true"),
            ("y", "true"),
            ("off", "false"),
            ("NO", "false"),
            ("True", "true"),
            ("010", "8"),
            ("0x1F", "31"),
            ("1_000", "1000"),
            ("+7", "7"),
            ("09", "9"),
            ("1.10", "1.1"),
            ("1.0", "1"),
            (".5", "0.5"),
            ("1e3", "1000"),
            ("1000000.0", "1e+06"),
            ("0.00001", "1e-05"),
            ("123456.0", "123456"),
            ("1234567.0", "1.234567e+06"),
            ("3.14159265358979", "3.1415927"),
            (".Inf", ".inf"),
            ("-.INF", "-.inf"),
            (".NaN", ".nan"),
            ("99999999999999999999", "1e+20"),
            ("-0", "0"),
            ("0X1F", "31"),
            ("-0X1F", "-31"),
            ("0B101", "5"),
            ("0O17", "15"),
            (".5e1", "5"),
        ] {
            assert_eq!(becomes(v).as_deref(), Some(made), "{v}");
        }
        for v in [
            "app",
            "404",
            "-3",
            "0",
            "true",
            "false",
            "3.14",
            "0.1",
            ".inf",
            "-.inf",
            ".nan",
            "1.2.3",
            "2021-01-01",
            "1e400",
            "._5",
            ".5_",
            ".5__0",
            ".5e_1",
        ] {
            assert_eq!(key_as(v), KeyAs::Same, "{v}");
        }
        for v in [
            "~",
            "null",
            "",
            "18446744073709551615",
            "0xFFFFFFFFFFFFFFFFFF",
            "0xFFFFFFFFFFFFFFFFFF",
        ] {
            assert!(matches!(key_as(v), KeyAs::Unusable(_)), "{v}");
        }
    }

    #[test]
    fn integers_read_as_go_yaml_reads_them() {
        for (v, n) in [
            ("80", 80),
            ("0x1F", 31),
            ("1_000", 1000),
            ("-3", -3),
            ("+7", 7),
            ("0755", 493),
            ("0b101", 5),
            ("0o17", 15),
            ("0", 0),
            ("0X238C", 9100),
        ] {
            assert_eq!(int_value(v), Some(n), "{v}");
        }
        for v in ["1.5", "1Gi", "yes", "09", "0x"] {
            assert_eq!(int_value(v), None, "{v}");
        }
    }

    #[test]
    fn quoted_and_tagged() {
        let s =
            |v: &'static str, style, tag: Option<&'static &'static str>| Scalar::new(v, style, tag);
        assert_eq!(
            k8s_type(&s("80", Style::DoubleQuoted, None)),
            K8sType::String
        );
        assert_eq!(
            k8s_type(&s("yes", Style::SingleQuoted, None)),
            K8sType::String
        );
        assert_eq!(
            k8s_type(&s("80", Style::Plain, Some(&"!!str"))),
            K8sType::String
        );
        assert_eq!(k8s_type(&s("80", Style::Literal, None)), K8sType::String);
        assert_eq!(k8s_type(&s("80", Style::Plain, None)), K8sType::Int);
    }
}
