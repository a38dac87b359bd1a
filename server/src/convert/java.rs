//! Java (Maven, Gradle): the jar that `java -jar` runs moves to the same
//! Java release's JRE (`eclipse-temurin:<major>-jre`, on the build image's
//! distribution), as a created non-root user. A jar named by a shell
//! pattern (`target/*.jar`) is copied by the same pattern, so the command
//! finds it as before.

use super::build::{dirname, join, Build};
use super::command::{CommandLine, Entry};
use super::packages::RuntimeLibraries;
use super::{Artifact, NotOffered, Plan, RuntimeUser};
use crate::knowledge::{java_major, temurin_jre, Family};
use crate::semantics::shell::program_name;

/// The build tools' commands that produce a jar.
fn builds_jar(build: &Build<'_, '_>) -> bool {
    build.run_commands().iter().any(|(_, command)| {
        let (name, args) = command.effective();
        let program = program_name(&name.text);
        let goals = |list: &[&str]| args.iter().any(|w| list.contains(&w.text.as_str()));
        match program {
            "mvn" | "mvnw" => goals(&["package", "install", "verify", "deploy"]),
            "gradle" | "gradlew" => goals(&[
                "build",
                "assemble",
                "bootJar",
                "jar",
                "shadowJar",
                ":bootJar",
                "buildFatJar",
            ]),
            _ => false,
        }
    })
}

/// The jar of `java [options] -jar <jar>` in words.
fn jar_of(words: &[String]) -> Option<&String> {
    let program = words.first()?;
    if program_name(program) != "java" {
        return None;
    }
    let at = words.iter().position(|w| w == "-jar")?;
    words.get(at + 1)
}

pub(super) fn plan(build: &Build<'_, '_>, entry: &Entry) -> Result<Plan, NotOffered> {
    if !builds_jar(build) {
        return Err(NotOffered::new(
            "Maven or Gradle runs no goal that builds a jar (`package`, `install`, `build`, `bootJar`…)",
        ));
    }
    let major = java_major(build.info, build.tag()).ok_or_else(|| {
        NotOffered::new(format!(
            "the Java release of `{}` is not in its tag, so the JRE cannot match it",
            build.image.reference
        ))
    })?;
    let workdir = build
        .final_workdir()
        .ok_or_else(|| NotOffered::new("the working directory is not known"))?;
    let main = entry
        .main()
        .ok_or_else(|| NotOffered::new("no CMD or ENTRYPOINT says what the image runs"))?;
    let jar = match main {
        CommandLine::Words(_) => {
            let argv = entry.argv().unwrap_or_default();
            jar_of(&argv).cloned()
        }
        CommandLine::Script { text, .. } => {
            let words: Vec<String> = text
                .split_whitespace()
                .filter(|w| *w != "exec")
                .map(str::to_owned)
                .collect();
            jar_of(&words).cloned()
        }
    };
    let jar = jar.ok_or_else(|| {
        NotOffered::new(format!(
            "the image runs `{}`, not `java -jar`",
            main.program().unwrap_or_default()
        ))
    })?;
    if jar.contains('$') {
        return Err(NotOffered::new(format!(
            "the jar `{jar}` is named by a variable"
        )));
    }
    let path = join(&workdir, &jar);
    let artifact = if jar.contains(['*', '?', '[']) {
        // The same pattern, into the same folder: the shell finds the jar as before.
        let folder = dirname(&path);
        if folder.contains(['*', '?', '[']) {
            return Err(NotOffered::new(format!(
                "the jar pattern `{jar}` spans folders"
            )));
        }
        Artifact {
            from: path,
            to: format!("{}/", folder.trim_end_matches('/')),
        }
    } else {
        Artifact::same(&path)
    };
    let family = if build.facts.family == Family::Alpine {
        Family::Alpine
    } else {
        Family::Debian
    };
    Ok(Plan {
        toolchain: "Java",
        runtime: temurin_jre(major, build.info),
        family,
        libraries: RuntimeLibraries {
            installs: true,
            provided: &[],
            static_binary: false,
        },
        artifacts: vec![artifact],
        env: Vec::new(),
        workdir: Some(workdir).filter(|_| build.sets_workdir()),
        user: RuntimeUser::Create,
        entrypoint: entry.entrypoint.as_ref().map(CommandLine::exec_items),
        cmd: entry.cmd.as_ref().map(CommandLine::exec_items),
        build_lines: Vec::new(),
        expose: None,
    })
}
