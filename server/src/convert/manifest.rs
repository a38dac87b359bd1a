//! What the conversion reads from the project's manifests, when the caller
//! passed them: the Go module path, the Rust package and binary names, the
//! npm scripts and dependencies, the .NET project kind. Readers never fail:
//! a manifest they cannot read gives `None`.

use std::collections::BTreeMap;

/// `module example.com/x/server/v2` → `server` (the binary `go build` names).
pub fn go_binary_name(go_mod: &str) -> Option<String> {
    let module = go_mod.lines().find_map(|line| {
        let line = line.trim();
        let rest = line.strip_prefix("module")?;
        rest.starts_with([' ', '\t'])
            .then(|| rest.trim().trim_matches('"'))
    })?;
    let mut parts: Vec<&str> = module.split('/').filter(|p| !p.is_empty()).collect();
    // A major-version suffix (`/v2`) is not part of the name.
    if parts.len() > 1
        && parts.last().is_some_and(|p| {
            p.len() > 1 && p.starts_with('v') && p[1..].chars().all(|c| c.is_ascii_digit())
        })
    {
        parts.pop();
    }
    parts.last().map(|p| (*p).to_owned())
}

/// The binaries a `Cargo.toml` builds: its `[[bin]]` names, else the
/// package name; empty for a virtual workspace manifest.
pub fn cargo_binaries(cargo_toml: &str) -> Option<Vec<String>> {
    let value: toml::Value = toml::from_str(cargo_toml).ok()?;
    let bins: Vec<String> = value
        .get("bin")
        .and_then(|b| b.as_array())
        .map(|bins| {
            bins.iter()
                .filter_map(|b| b.get("name").and_then(|n| n.as_str()).map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    if !bins.is_empty() {
        return Some(bins);
    }
    let package = value
        .get("package")
        .and_then(|p| p.get("name"))
        .and_then(|n| n.as_str());
    Some(package.map(|p| vec![p.to_owned()]).unwrap_or_default())
}

/// The parts of a `package.json` the conversion uses.
#[derive(Debug, Default)]
pub struct PackageJson {
    pub scripts: BTreeMap<String, String>,
    pub dependencies: Vec<String>,
    pub dev_dependencies: Vec<String>,
    /// `packageManager` (`yarn@4.1.0`).
    pub package_manager: Option<String>,
}

pub fn package_json(text: &str) -> Option<PackageJson> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    let names = |key: &str| -> Vec<String> {
        value
            .get(key)
            .and_then(|d| d.as_object())
            .map(|d| d.keys().cloned().collect())
            .unwrap_or_default()
    };
    let scripts = value
        .get("scripts")
        .and_then(|s| s.as_object())
        .map(|s| {
            s.iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_owned())))
                .collect()
        })
        .unwrap_or_default();
    Some(PackageJson {
        scripts,
        dependencies: names("dependencies"),
        dev_dependencies: names("devDependencies"),
        package_manager: value
            .get("packageManager")
            .and_then(|p| p.as_str())
            .map(str::to_owned),
    })
}

/// The commands of an npm script: `a && b; c` → words of each command,
/// leading `VAR=value` assignments and `cross-env` dropped.
pub fn script_commands(script: &str) -> Vec<Vec<String>> {
    script
        .split("&&")
        .flat_map(|part| part.split(';'))
        .flat_map(|part| part.split("||"))
        .map(|part| {
            let mut words: Vec<String> = part
                .split_whitespace()
                .map(|w| w.trim_matches(['"', '\'']).to_owned())
                .collect();
            if words.first().is_some_and(|w| w == "cross-env") {
                words.remove(0);
            }
            while words
                .first()
                .is_some_and(|w| w.contains('=') && !w.starts_with('-'))
            {
                words.remove(0);
            }
            words
        })
        .filter(|words| !words.is_empty())
        .collect()
}

/// Whether a `.csproj` is a web app (`Sdk="Microsoft.NET.Sdk.Web"`).
pub fn csproj_is_web(csproj: &str) -> Option<bool> {
    let start = csproj.find("<Project")?;
    let tag_end = csproj[start..].find('>')? + start;
    let tag = &csproj[start..tag_end];
    let sdk = tag
        .split("Sdk=")
        .nth(1)?
        .trim_start()
        .trim_start_matches(['"', '\'']);
    let sdk: String = sdk
        .chars()
        .take_while(|c| *c != '"' && *c != '\'')
        .collect();
    Some(sdk.eq_ignore_ascii_case("Microsoft.NET.Sdk.Web"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_manifests() {
        assert_eq!(
            go_binary_name("module github.com/acme/api-server/v2\n\ngo 1.23\n").as_deref(),
            Some("api-server")
        );
        assert_eq!(go_binary_name("module hello\n").as_deref(), Some("hello"));
        assert_eq!(go_binary_name("go 1.23\n"), None);
        assert_eq!(
            cargo_binaries("[package]\nname = \"web-api\"\nversion = \"0.1.0\"\n"),
            Some(vec!["web-api".to_owned()])
        );
        assert_eq!(
            cargo_binaries(
                "[package]\nname = \"x\"\n[[bin]]\nname = \"server\"\npath = \"src/main.rs\"\n"
            ),
            Some(vec!["server".to_owned()])
        );
        assert_eq!(
            cargo_binaries("[workspace]\nmembers = [\"a\"]\n"),
            Some(vec![])
        );
        assert_eq!(cargo_binaries("not toml ["), None);
        let package = package_json(
            r#"{"scripts": {"build": "tsc -p .", "start": "node dist/main.js"}, "dependencies": {"express": "^4"}, "devDependencies": {"typescript": "^5"}}"#,
        )
        .unwrap_or_default();
        assert_eq!(package.scripts["start"], "node dist/main.js");
        assert_eq!(package.dependencies, vec!["express"]);
        assert_eq!(
            script_commands("NODE_ENV=production node dist/main.js && echo done"),
            vec![
                vec!["node".to_owned(), "dist/main.js".to_owned()],
                vec!["echo".to_owned(), "done".to_owned()]
            ]
        );
        assert_eq!(
            csproj_is_web("<Project Sdk=\"Microsoft.NET.Sdk.Web\">\n</Project>"),
            Some(true)
        );
        assert_eq!(
            csproj_is_web("<Project Sdk=\"Microsoft.NET.Sdk\">"),
            Some(false)
        );
    }
}
