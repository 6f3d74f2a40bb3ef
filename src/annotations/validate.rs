//! Value formats of EKS annotations (EKS103).

use super::{Entry, Format};

/// What is wrong with a value.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Ok,
    /// Accepted by EKS but probably not what was meant (reported as a warning).
    Doubtful(String),
    /// Rejected, or silently ignored, by EKS.
    Invalid(String),
}

fn is_uint(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// `gi` as the annotation would write it: `4`, `0.5`, `0.977` (at most three decimals).
fn gi_text(gi: f64) -> String {
    let t = format!("{gi:.3}");
    t.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn is_decimal(s: &str) -> bool {
    match s.split_once('.') {
        Some((a, b)) => is_uint(a) && is_uint(b),
        None => is_uint(s),
    }
}

/// Go's `time.ParseDuration` syntax: `300ms`, `1.5h`, `2h45m`, or `0`.
pub fn is_go_duration(s: &str) -> bool {
    if s == "0" {
        return true;
    }
    let mut rest = s.strip_prefix(['-', '+']).unwrap_or(s);
    if rest.is_empty() {
        return false;
    }
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if num_len == 0 || !is_decimal(&rest[..num_len]) && !rest[..num_len].ends_with('.') {
            return false;
        }
        rest = &rest[num_len..];
        let unit = ["ns", "us", "µs", "μs", "ms", "s", "m", "h"]
            .iter()
            .filter(|u| rest.starts_with(*u))
            .max_by_key(|u| u.len());
        match unit {
            Some(u) => rest = &rest[u.len()..],
            None => return false,
        }
    }
    true
}

fn list(v: &str) -> Vec<&str> {
    v.split(',').collect()
}

pub fn check(entry: &Entry, value: &str) -> Verdict {
    use Verdict::*;
    let v = value;
    match entry.format {
        Format::String => Ok,
        Format::Bool => match v {
            "true" | "false" => Ok,
            _ => Invalid(format!(
                "`{v}` is not a boolean: write \"true\" or \"false\""
            )),
        },
        Format::Percent => match v.parse::<i64>() {
            Result::Ok(n) if is_uint(v) && (0..=100).contains(&n) => Ok,
            _ => Invalid(format!(
                "`{v}` is not a percentage: write a whole number from 0 to 100, e.g. \"85\""
            )),
        },
        Format::Port => match v.parse::<u32>() {
            Result::Ok(n) if is_uint(v) && (1..=65535).contains(&n) => {
                if n == 9100 && entry.key.ends_with("/metrics-port") {
                    Invalid("9100 is where the exporter listens by default: setting it moves nothing; choose a free port such as 9110".into())
                } else {
                    Ok
                }
            }
            _ => Invalid(format!(
                "`{v}` is not a port: write a number from 1 to 65535, e.g. \"9110\""
            )),
        },
        Format::SgList => {
            let bad: Vec<&str> = list(v)
                .into_iter()
                .filter(|id| {
                    !(id.len() == 11
                        && id.starts_with("sg-")
                        && id[3..]
                            .bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
                })
                .collect();
            if bad.is_empty() {
                Ok
            } else {
                let what = match bad[0] {
                    "" => "an empty entry (a stray comma?)".to_string(),
                    id => format!("`{id}`"),
                };
                Invalid(format!(
                    "{what} is not a security group id: write `sg-` and 8 lowercase letters or digits, comma-separated without spaces (`sg-5lxe2r2p,sg-0abc1234`)"
                ))
            }
        }
        Format::GiMemory => {
            if v.strip_suffix("Gi").is_some_and(is_decimal) {
                return Ok;
            }
            if let Some(mi) = v.strip_suffix("Mi").filter(|m| is_decimal(m)) {
                let example = match mi.parse::<f64>() {
                    Result::Ok(mi) if mi > 0.0 => format!("\"{}Gi\"", gi_text(mi / 1024.0)),
                    _ => "\"0.5Gi\"".to_string(),
                };
                return Doubtful(format!(
                    "`{v}`: the current EKS documentation requires memory in Gi (older pages accepted Mi); write it in Gi: {example}"
                ));
            }
            let hint = if v.ends_with('G') || v.ends_with("GB") {
                " (`G` is rejected with a parameter error: write `Gi`)"
            } else {
                ""
            };
            Invalid(format!(
                "`{v}` is not a memory size in Gi{hint}: write e.g. \"16Gi\" or \"0.5Gi\""
            ))
        }
        Format::Cores => {
            if is_decimal(v) && v.parse::<f64>().is_ok_and(|n| n > 0.0) {
                Ok
            } else if let Some(m) = v.strip_suffix('m').filter(|m| is_uint(m)) {
                let cores = m.parse::<f64>().unwrap_or(0.0) / 1000.0;
                Invalid(format!(
                    "`{v}`: the cpu annotation is a number of cores without unit: write \"{cores}\""
                ))
            } else {
                Invalid(format!(
                    "`{v}` is not a number of cores: write e.g. \"0.25\", \"1\" or \"4\""
                ))
            }
        }
        Format::Int => match v.parse::<i64>() {
            Result::Ok(n) if is_uint(v) => {
                if entry.min.is_some_and(|m| n < m) || entry.max.is_some_and(|m| n > m) {
                    Invalid(format!(
                        "`{v}` is out of range: write a whole number{}{}",
                        entry.min.map(|m| format!(" ≥ {m}")).unwrap_or_default(),
                        entry.max.map(|m| format!(" and ≤ {m}")).unwrap_or_default()
                    ))
                } else {
                    Ok
                }
            }
            _ => Invalid(format!("`{v}` is not a whole number")),
        },
        Format::Duration => {
            if is_go_duration(v) {
                Ok
            } else if is_uint(v) {
                Invalid(format!(
                    "`{v}` has no unit: write a duration such as \"{v}s\""
                ))
            } else {
                Invalid(format!(
                    "`{v}` is not a duration: write it the Go way, e.g. \"30s\", \"5m\", \"1h30m\""
                ))
            }
        }
        Format::JsonSysctls => check_sysctls(v),
        Format::JsonObject => match serde_json::from_str::<serde_json::Value>(v) {
            Result::Ok(serde_json::Value::Object(_)) => Ok,
            _ => Invalid(format!(
                "`{v}` is not a JSON object, e.g. '{{\"business\": \"A\"}}'"
            )),
        },
        Format::JsonObjectOrEmpty => {
            if v.trim().is_empty() {
                return Ok;
            }
            match serde_json::from_str::<serde_json::Value>(v) {
                Result::Ok(serde_json::Value::Object(_)) => Ok,
                _ => Invalid(format!(
                    "`{v}` is not valid: write \"\" or '{{}}' for a default EIP, or a JSON object of AllocateAddresses parameters, e.g. '{{\"InternetMaxBandwidthOut\": 50}}'"
                )),
            }
        }
        Format::Enum => {
            if entry.values.iter().any(|x| x == v) {
                Ok
            } else {
                Invalid(format!("`{v}` is not one of {}", quote_list(&entry.values)))
            }
        }
        Format::CpuType => {
            for t in list(v) {
                let t = t.trim();
                match t {
                    "intel" | "amd" => {}
                    "Intel" | "INTEL" | "AMD" | "Amd" => {
                        return Doubtful(format!(
                            "`{t}`: the documentation writes CPU vendors in lowercase (`intel`, `amd`)"
                        ));
                    }
                    _ if t.len() <= 4
                        && t.starts_with(|c: char| c.is_ascii_uppercase())
                        && t.chars().any(|c| c.is_ascii_digit())
                        && t.chars()
                            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()) => {}
                    _ => {
                        return Doubtful(format!(
                            "`{t}` is neither `intel`, `amd` nor an instance family such as `S5` or `SA4`"
                        ));
                    }
                }
            }
            Ok
        }
        Format::GpuType => {
            // The models of the sizing catalog (`catalog/pod-sizes.yaml`), EKS205's too.
            let t = crate::k8s::sizing::tables();
            for ty in list(v) {
                let ty = ty.trim();
                if !t.gpu_rows(ty).is_empty() {
                    continue;
                }
                let known = t.gpu_types().join(", ");
                if let Some(r) = t.removed_gpu(ty) {
                    return Invalid(format!(
                        "`{ty}` was withdrawn on {}, and a pod asking for it is not created: use one of {known}",
                        r.removed
                    ));
                }
                if let Some(model) = t
                    .gpu_types()
                    .into_iter()
                    .find(|m| m.eq_ignore_ascii_case(ty))
                {
                    return Invalid(format!(
                        "`{ty}` is not a GPU model: the names are case-sensitive, write `{model}`"
                    ));
                }
                return Doubtful(format!(
                    "`{ty}` is not a GPU model of the published tables ({known}): pod creation fails with an unknown model"
                ));
            }
            Ok
        }
        Format::ImageCache => {
            if v == "auto"
                || v.strip_prefix("imc-").is_some_and(|id| {
                    !id.is_empty()
                        && id
                            .bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
                })
            {
                Ok
            } else {
                Invalid(format!(
                    "`{v}` is neither `auto` nor an image cache id `imc-...`"
                ))
            }
        }
        Format::IdList => {
            let prefix = entry.values.first().map(String::as_str).unwrap_or("");
            // Tencent Cloud ids are the prefix and letters or digits (`sg-5lxe2r2p`).
            let is_id = |id: &str| {
                id.strip_prefix(prefix).is_some_and(|rest| {
                    !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric())
                })
            };
            match list(v).into_iter().find(|id| !is_id(id)) {
                None => Ok,
                Some(id) => match id.contains([';', ' ', '|', '\t']) && id.starts_with(prefix) {
                    true => Invalid(format!(
                        "`{id}` is not one id: EKS splits the list at commas only (comma-separated, no spaces)"
                    )),
                    false => Invalid(format!(
                        "`{id}` is not an id starting with `{prefix}` (comma-separated, no spaces)"
                    )),
                },
            }
        }
        Format::Ipv4 => match v.parse::<std::net::Ipv4Addr>() {
            Result::Ok(_) => Ok,
            Err(_) => Invalid(format!("`{v}` is not an IPv4 address")),
        },
        Format::Size => {
            let n = v
                .trim_end_matches(['b', 'B'])
                .trim_end_matches(['k', 'K', 'm', 'M', 'g', 'G']);
            if is_uint(n) {
                Ok
            } else {
                Invalid(format!("`{v}` is not a size such as \"2M\" or \"512k\""))
            }
        }
        Format::Hosts => {
            if v == "all" {
                return Ok;
            }
            if let Some(all) = list(v)
                .into_iter()
                .find(|h| h.trim().eq_ignore_ascii_case("all"))
            {
                return Doubtful(if all != "all" {
                    format!(
                        "`{all}` is read as a registry named `{all}`: every registry is written `all`, in lower case"
                    )
                } else {
                    "`all` inside a list: the documented form is `all` alone (every registry), or a list of hosts".into()
                });
            }
            match list(v)
                .into_iter()
                .find(|h| h.is_empty() || h.contains("://") || h.contains('/') || h.contains(' '))
            {
                None => Ok,
                Some(h) => Invalid(format!(
                    "`{h}` is not a registry host: write host[:port] without scheme or path (e.g. `harbor.example.com:5000`), comma-separated, or `all`"
                )),
            }
        }
        Format::ResolvConf => {
            if v.lines().any(|l| l.trim_start().starts_with("nameserver")) {
                Ok
            } else {
                Doubtful(
                    "the resolv.conf has no `nameserver` line: the pod would have no DNS server"
                        .into(),
                )
            }
        }
    }
}

fn quote_list(v: &[String]) -> String {
    v.iter()
        .map(|x| format!("`{x}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn check_sysctls(v: &str) -> Verdict {
    let parsed: serde_json::Value = match serde_json::from_str(v) {
        Result::Ok(p) => p,
        Err(e) => {
            return Verdict::Invalid(format!(
                "not valid JSON ({e}): write '[{{\"name\": \"net.core.rmem_max\", \"value\": \"26214400\"}}]'"
            ));
        }
    };
    let Some(items) = parsed.as_array() else {
        return Verdict::Invalid(
            "must be a JSON array of {\"name\": ..., \"value\": ...} objects".into(),
        );
    };
    for item in items {
        let name = item.get("name").and_then(|n| n.as_str());
        let value = item.get("value");
        match (name, value) {
            (Some(n), Some(serde_json::Value::String(_))) => {
                if !n.starts_with("net.") {
                    return Verdict::Invalid(format!(
                        "`{n}`: only kernel parameters under `net.` can be set on super nodes"
                    ));
                }
            }
            (Some(n), Some(_)) => {
                return Verdict::Invalid(format!(
                    "the value of `{n}` must be a JSON string (\"26214400\", not 26214400)"
                ));
            }
            _ => {
                return Verdict::Invalid(
                    "every item needs a string \"name\" and a string \"value\"".into(),
                );
            }
        }
    }
    Verdict::Ok
}

#[cfg(test)]
mod tests {
    use super::super::lookup;
    use super::*;

    fn v(key: &str, value: &str) -> Verdict {
        check(
            lookup(&format!("eks.tke.cloud.tencent.com/{key}")).expect(key),
            value,
        )
    }
    fn ok(key: &str, value: &str) {
        assert_eq!(v(key, value), Verdict::Ok, "{key}: {value}");
    }
    fn bad(key: &str, value: &str) {
        assert!(
            matches!(v(key, value), Verdict::Invalid(_)),
            "{key}: {value} should be invalid"
        );
    }
    fn doubtful(key: &str, value: &str) {
        assert!(
            matches!(v(key, value), Verdict::Doubtful(_)),
            "{key}: {value} should be doubtful"
        );
    }

    /// The message of a value that is not Ok.
    fn said(key: &str, value: &str) -> String {
        match v(key, value) {
            Verdict::Invalid(m) | Verdict::Doubtful(m) => m,
            Verdict::Ok => panic!("{key}: {value} is ok"),
        }
    }

    #[test]
    fn messages_name_the_value_to_write() {
        assert!(said("mem", "4096Mi").ends_with("write it in Gi: \"4Gi\""));
        assert!(said("mem", "512Mi").ends_with("write it in Gi: \"0.5Gi\""));
        assert!(said("mem", "1000Mi").ends_with("write it in Gi: \"0.977Gi\""));
        assert!(said("security-group-id", "sg-5lxe2r2p,").starts_with("an empty entry"));
        assert!(said("security-group-id", "sg-5lxe2r2p,SG-1").starts_with("`SG-1` is not"));
    }

    #[test]
    fn every_format() {
        ok("retain-ip", "true");
        bad("retain-ip", "yes");
        bad("retain-ip", "True");
        ok("image-gc-high-threshold", "80");
        bad("image-gc-high-threshold", "101");
        bad("image-gc-high-threshold", "80%");
        ok("metrics-port", "9110");
        bad("metrics-port", "9100");
        bad("metrics-port", "70000");
        ok("security-group-id", "sg-5lxe2r2p,sg-0abc1234");
        bad("security-group-id", "sg-5lxe2r2p, sg-0abc1234");
        assert!(
            said("eip-id-list", "eip-aaa;eip-bbb")
                .starts_with("`eip-aaa;eip-bbb` is not one id: EKS splits"),
        );
        bad("eip-id-list", "eip-aaa.1");
        ok("eip-id-list", "eip-aaa,eip-BBB1");
        ok("registry-http-endpoint", "all");
        assert!(said("gpu-type", "T4,v100").ends_with("case-sensitive, write `V100`"));
        assert!(said("registry-http-endpoint", "ALL").contains("written `all`, in lower case"));
        assert!(
            said("registry-http-endpoint", "harbor.a.com,all").starts_with("`all` inside a list")
        );
        bad("security-group-id", "sg-ABC");
        ok("mem", "16Gi");
        ok("mem", "0.5Gi");
        bad("mem", "16G");
        bad("mem", "16");
        doubtful("mem", "512Mi");
        ok("cpu", "0.25");
        bad("cpu", "500m");
        bad("cpu", "1 core");
        ok("root-cbs-size", "50");
        bad("root-cbs-size", "0");
        bad("retain-ip-hours", "9000");
        ok("heartbeat-lost-period", "1m");
        ok("ipvs-sync-period", "1h30m");
        bad("heartbeat-lost-period", "60");
        bad("heartbeat-lost-period", "1 minute");
        ok(
            "host-sysctls",
            r#"[{"name": "net.core.rmem_max","value": "26214400"}]"#,
        );
        bad(
            "host-sysctls",
            r#"[{"name": "vm.swappiness","value": "10"}]"#,
        );
        bad(
            "host-sysctls",
            r#"[{"name": "net.core.rmem_max","value": 26214400}]"#,
        );
        bad("host-sysctls", r#"{"name": "net.x"}"#);
        ok("eip-attributes", "");
        ok("eip-attributes", "{}");
        ok("eip-attributes", r#"{"InternetMaxBandwidthOut":50}"#);
        bad("eip-attributes", "50");
        ok("ipvs-scheduler", "sh");
        bad("ipvs-scheduler", "wrr");
        ok("image-cache-disk-type", "CLOUD_SSD");
        bad("image-cache-disk-type", "SSD");
        ok("cpu-type", "amd,intel");
        ok("cpu-type", "SA5,SA4,amd");
        doubtful("cpu-type", "AMD");
        ok("gpu-type", "T4,V100");
        ok("gpu-type", "1/4*T4");
        bad("gpu-type", "1/4*V100");
        doubtful("gpu-type", "L40");
        ok("use-image-cache", "auto");
        ok("use-image-cache", "imc-al38sj2k");
        bad("use-image-cache", "yes");
        ok("eip-id-list", "eip-xx1,eip-xx2");
        bad("eip-id-list", "xx1");
        ok("pod-ip", "10.0.0.12");
        bad("pod-ip", "10.0.0");
        ok("registry-http-endpoint", "harbor.example.com:5000,10.1.1.1");
        bad("registry-http-endpoint", "http://harbor.example.com");
        doubtful("resolv-conf", "search default.svc\n");
        ok("resolv-conf", "nameserver 4.4.4.4\n");
    }

    #[test]
    fn go_durations() {
        for d in ["0", "30s", "1.5h", "2h45m", "300ms", "10us"] {
            assert!(is_go_duration(d), "{d}");
        }
        for d in ["", "30", "s", "1d", "30 s", "1h-5m"] {
            assert!(!is_go_duration(d), "{d}");
        }
    }
}
