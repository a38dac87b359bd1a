//! Typed views over the Dockerfile tree: directives, instructions, flags,
//! image references, heredocs and stages, all as byte ranges into the source.
//!
//! Rules read these views (named fields of the grammar), never child positions.

use std::ops::Range;

use tree_sitter::{Node, Tree};

/// The instruction kinds BuildKit knows, plus anything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InstructionKind {
    From,
    Run,
    Cmd,
    Label,
    Maintainer,
    Expose,
    Env,
    Add,
    Copy,
    Entrypoint,
    Volume,
    User,
    Workdir,
    Arg,
    Onbuild,
    Stopsignal,
    Healthcheck,
    Shell,
    Unknown,
}

/// Each kind with its node kind in the grammar and its keyword.
const KINDS: [(InstructionKind, &str, &str); 19] = [
    (InstructionKind::From, "from_instruction", "FROM"),
    (InstructionKind::Run, "run_instruction", "RUN"),
    (InstructionKind::Cmd, "cmd_instruction", "CMD"),
    (InstructionKind::Label, "label_instruction", "LABEL"),
    (
        InstructionKind::Maintainer,
        "maintainer_instruction",
        "MAINTAINER",
    ),
    (InstructionKind::Expose, "expose_instruction", "EXPOSE"),
    (InstructionKind::Env, "env_instruction", "ENV"),
    (InstructionKind::Add, "add_instruction", "ADD"),
    (InstructionKind::Copy, "copy_instruction", "COPY"),
    (
        InstructionKind::Entrypoint,
        "entrypoint_instruction",
        "ENTRYPOINT",
    ),
    (InstructionKind::Volume, "volume_instruction", "VOLUME"),
    (InstructionKind::User, "user_instruction", "USER"),
    (InstructionKind::Workdir, "workdir_instruction", "WORKDIR"),
    (InstructionKind::Arg, "arg_instruction", "ARG"),
    (InstructionKind::Onbuild, "onbuild_instruction", "ONBUILD"),
    (
        InstructionKind::Stopsignal,
        "stopsignal_instruction",
        "STOPSIGNAL",
    ),
    (
        InstructionKind::Healthcheck,
        "healthcheck_instruction",
        "HEALTHCHECK",
    ),
    (InstructionKind::Shell, "shell_instruction", "SHELL"),
    (InstructionKind::Unknown, "unknown_instruction", ""),
];

impl InstructionKind {
    /// The kind of an instruction node (`copy_instruction` → `Copy`).
    pub(crate) fn from_node_kind(kind: &str) -> Option<Self> {
        KINDS
            .iter()
            .find(|(_, node_kind, _)| *node_kind == kind)
            .map(|(k, _, _)| *k)
    }

    /// The upper-case keyword (empty for unknown instructions).
    pub fn keyword(self) -> &'static str {
        KINDS
            .iter()
            .find(|(k, _, _)| *k == self)
            .map_or("", |(_, _, keyword)| keyword)
    }
}

/// A parser directive at the top of the file (`# syntax=…`, `# escape=…`, `# check=…`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    pub range: Range<usize>,
    pub name: Range<usize>,
    pub value: Range<usize>,
}

/// `--name[=value]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    pub range: Range<usize>,
    pub name: Range<usize>,
    pub value: Option<Range<usize>>,
}

/// `[registry[:port]/][namespace/]repository[:tag][@digest]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    pub range: Range<usize>,
    pub name: Range<usize>,
    pub tag: Option<Range<usize>>,
    pub digest: Option<Range<usize>>,
}

/// Exec (JSON) form or shell form of RUN, CMD, ENTRYPOINT, SHELL and HEALTHCHECK CMD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandForm {
    Exec {
        range: Range<usize>,
        items: Vec<Range<usize>>,
    },
    /// The bash tree of the command is in [`crate::syntax::Document::shells`].
    Shell { range: Range<usize> },
}

impl CommandForm {
    pub fn range(&self) -> Range<usize> {
        match self {
            Self::Exec { range, .. } | Self::Shell { range, .. } => range.clone(),
        }
    }
}

/// A heredoc: its marker on the instruction line, its body and its end line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heredoc {
    pub marker: Range<usize>,
    pub body: Range<usize>,
    pub end: Option<Range<usize>>,
}

/// `name=value` in ENV and LABEL (also the legacy `name value` form), or an ARG.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyValue {
    pub range: Range<usize>,
    pub name: Range<usize>,
    pub value: Option<Range<usize>>,
    /// True for `ENV name value` (the value runs to the end of the line).
    pub legacy: bool,
}

/// One instruction with everything rules need, as byte ranges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    pub kind: InstructionKind,
    /// The whole instruction, heredoc bodies included, up to and including its final newline.
    pub range: Range<usize>,
    /// From the keyword to the end of the instruction's last line, newline excluded.
    pub line_range: Range<usize>,
    pub keyword: Range<usize>,
    pub flags: Vec<Flag>,
    /// RUN, CMD, ENTRYPOINT, SHELL, HEALTHCHECK: the command.
    pub command: Option<CommandForm>,
    /// FROM: the image and the stage name.
    pub image: Option<ImageRef>,
    pub stage_name: Option<Range<usize>>,
    /// ENV, LABEL, ARG.
    pub pairs: Vec<KeyValue>,
    /// COPY/ADD sources and destination, VOLUME paths, EXPOSE ports, WORKDIR path,
    /// USER name (and group), STOPSIGNAL, MAINTAINER, unknown instruction text.
    pub arguments: Vec<Range<usize>>,
    /// COPY/ADD/VOLUME in JSON form.
    pub json_arguments: Option<Range<usize>>,
    pub heredocs: Vec<Heredoc>,
    /// ONBUILD: the triggered instruction.
    pub trigger: Option<Box<Instruction>>,
    /// 0-based rows of the first and last line (heredoc bodies included).
    pub start_row: usize,
    pub end_row: usize,
}

/// A build stage: a FROM and the instructions up to the next FROM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    pub index: usize,
    /// Index of the FROM instruction in [`Dockerfile::instructions`].
    pub from: usize,
    /// Instruction indices of the stage, FROM included.
    pub instructions: Range<usize>,
}

/// The syntax model of one Dockerfile.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dockerfile {
    pub directives: Vec<Directive>,
    pub instructions: Vec<Instruction>,
    pub stages: Vec<Stage>,
    /// The escape character in effect (`\` or the `# escape=` directive's).
    pub escape: char,
    pub comments: Vec<Range<usize>>,
}

impl Dockerfile {
    /// Builds the model from a tree of `source`.
    pub fn from_tree(tree: &Tree, source: &str) -> Self {
        let root = tree.root_node();
        let mut model = Dockerfile {
            escape: '\\',
            ..Default::default()
        };
        super::for_each_item(root, |child| match child.kind() {
            "parser_directive" => {
                if let (Some(name), Some(value)) = (
                    child.child_by_field_id(super::field_id("name").get()),
                    child.child_by_field_id(super::field_id("value").get()),
                ) {
                    let directive = Directive {
                        range: child.byte_range(),
                        name: name.byte_range(),
                        value: value.byte_range(),
                    };
                    let name_text = source.get(directive.name.clone()).unwrap_or_default();
                    let value_text = source.get(directive.value.clone()).unwrap_or_default();
                    if name_text.eq_ignore_ascii_case("escape")
                        && (value_text == "`" || value_text == "\\")
                    {
                        model.escape = value_text.chars().next().unwrap_or('\\');
                    }
                    model.directives.push(directive);
                }
            }
            "comment" => {
                let range = child.byte_range();
                let end = trim_line_end(source, range.start, range.end);
                model.comments.push(range.start..end);
            }
            _ => {
                if let Some(instruction) = Instruction::from_node(child, source) {
                    model.instructions.push(instruction);
                }
            }
        });
        for instruction in &model.instructions {
            // Only a continuation can carry comment lines inside an instruction.
            if source
                .get(instruction.range.clone())
                .is_some_and(|t| t.contains('#'))
            {
                if let Some(node) =
                    root.descendant_for_byte_range(instruction.range.start, instruction.range.end)
                {
                    collect_nested_comments(node, source, &mut model.comments);
                }
            }
        }
        model.comments.sort_by_key(|r| r.start);
        model.comments.dedup();
        model.stages = stages(&model.instructions);
        model
    }

    /// The stage an instruction index belongs to.
    pub fn stage_of(&self, instruction: usize) -> Option<&Stage> {
        self.stages
            .iter()
            .find(|s| s.instructions.contains(&instruction))
    }
}

/// Comment lines inside instructions: BuildKit skips them in continuations, and
/// the continuation token carries them.
fn collect_nested_comments(node: Node<'_>, source: &str, out: &mut Vec<Range<usize>>) {
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        match child.kind() {
            "comment" => out.push(child.byte_range()),
            "line_continuation" => out.extend(continuation_comments(child.byte_range(), source)),
            "heredoc" => {}
            _ if child.child_count() > 0 => collect_nested_comments(child, source, out),
            _ => {}
        }
    }
}

/// The comment lines inside a continuation token (after its first newline).
pub fn continuation_comments(range: Range<usize>, source: &str) -> Vec<Range<usize>> {
    let text = source.get(range.clone()).unwrap_or_default();
    let Some(first_newline) = text.find('\n') else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut offset = range.start + first_newline + 1;
    for line in text[first_newline + 1..].split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with('#') {
            let start = offset + (line.len() - trimmed.len());
            out.push(start..offset + line.trim_end_matches(['\n', '\r']).len());
        }
        offset += line.len();
    }
    out
}

fn stages(instructions: &[Instruction]) -> Vec<Stage> {
    let mut stages: Vec<Stage> = Vec::new();
    for (i, instruction) in instructions.iter().enumerate() {
        if instruction.kind == InstructionKind::From {
            if let Some(last) = stages.last_mut() {
                last.instructions.end = i;
            }
            stages.push(Stage {
                index: stages.len(),
                from: i,
                instructions: i..instructions.len(),
            });
        }
    }
    stages
}

fn field_ranges(node: Node<'_>, field: &str) -> Vec<Range<usize>> {
    let mut cursor = node.walk();
    node.children_by_field_id(super::field_id(field), &mut cursor)
        .map(|n| n.byte_range())
        .collect()
}

impl Instruction {
    /// The view of one instruction node; `None` when the node is no instruction.
    pub fn from_node(node: Node<'_>, source: &str) -> Option<Self> {
        let kind = InstructionKind::from_node_kind(node.kind())?;
        let keyword = node
            .child(0)
            .map(|k| k.byte_range())
            .unwrap_or(node.start_byte()..node.start_byte());
        let flags = flags_of(node);
        let mut instruction = Instruction {
            kind,
            range: node.byte_range(),
            line_range: node.byte_range(),
            keyword,
            flags,
            command: None,
            image: None,
            stage_name: None,
            pairs: Vec::new(),
            arguments: Vec::new(),
            json_arguments: None,
            heredocs: heredocs(node, source),
            trigger: None,
            start_row: node.start_position().row,
            end_row: end_row(node),
        };
        match kind {
            InstructionKind::From => {
                if let Some(image) = node.child_by_field_id(super::field_id("image").get()) {
                    instruction.image = Some(ImageRef {
                        range: image.byte_range(),
                        name: image
                            .child_by_field_id(super::field_id("name").get())
                            .map_or(image.byte_range(), |n| n.byte_range()),
                        tag: image
                            .child_by_field_id(super::field_id("tag").get())
                            .map(|n| n.byte_range()),
                        digest: image
                            .child_by_field_id(super::field_id("digest").get())
                            .map(|n| n.byte_range()),
                    });
                }
                instruction.stage_name = node
                    .child_by_field_id(super::field_id("name").get())
                    .map(|n| n.byte_range());
                instruction.arguments = field_ranges(node, "extra");
            }
            InstructionKind::Run
            | InstructionKind::Cmd
            | InstructionKind::Entrypoint
            | InstructionKind::Shell
            | InstructionKind::Healthcheck => {
                instruction.command = node
                    .child_by_field_id(super::field_id("command").get())
                    .map(command_form);
            }
            InstructionKind::Env | InstructionKind::Label => {
                let mut cursor = node.walk();
                instruction.pairs = node
                    .children_by_field_id(super::field_id("pair"), &mut cursor)
                    .map(|pair| {
                        let name = pair
                            .child_by_field_id(super::field_id("name").get())
                            .map_or(pair.byte_range(), |n| n.byte_range());
                        let value = pair
                            .child_by_field_id(super::field_id("value").get())
                            .map(|n| n.byte_range());
                        let legacy = !source.get(name.end..).unwrap_or_default().starts_with('=');
                        KeyValue {
                            range: pair.byte_range(),
                            name,
                            value,
                            legacy,
                        }
                    })
                    .collect();
            }
            InstructionKind::Arg => {
                let mut cursor = node.walk();
                instruction.pairs = node
                    .children_by_field_id(super::field_id("argument"), &mut cursor)
                    .map(|arg| KeyValue {
                        range: arg.byte_range(),
                        name: arg
                            .child_by_field_id(super::field_id("name").get())
                            .map_or(arg.byte_range(), |n| n.byte_range()),
                        value: arg
                            .child_by_field_id(super::field_id("default").get())
                            .map(|n| n.byte_range()),
                        legacy: false,
                    })
                    .collect();
            }
            InstructionKind::Copy | InstructionKind::Add => {
                instruction.json_arguments = node
                    .child_by_field_id(super::field_id("arguments").get())
                    .map(|n| n.byte_range());
                let mut args = field_ranges(node, "source");
                args.extend(field_ranges(node, "destination"));
                instruction.arguments = args;
            }
            InstructionKind::Volume => {
                instruction.json_arguments = node
                    .child_by_field_id(super::field_id("arguments").get())
                    .map(|n| n.byte_range());
                instruction.arguments = field_ranges(node, "path");
            }
            InstructionKind::Expose => instruction.arguments = field_ranges(node, "port"),
            InstructionKind::Workdir => instruction.arguments = field_ranges(node, "path"),
            InstructionKind::Stopsignal => instruction.arguments = field_ranges(node, "signal"),
            InstructionKind::Maintainer => instruction.arguments = field_ranges(node, "name"),
            InstructionKind::User => {
                let mut args = field_ranges(node, "user");
                args.extend(field_ranges(node, "group"));
                instruction.arguments = args;
            }
            InstructionKind::Unknown => instruction.arguments = field_ranges(node, "arguments"),
            InstructionKind::Onbuild => {
                instruction.trigger = node
                    .child_by_field_id(super::field_id("instruction").get())
                    .and_then(|inner| Instruction::from_node(inner, source))
                    .map(Box::new);
                // BuildKit reads the trigger's heredoc bodies after the ONBUILD line.
                if let Some(trigger) = &instruction.trigger {
                    instruction.heredocs = trigger.heredocs.clone();
                }
            }
        }
        let line_end = instruction
            .heredocs
            .first()
            .map_or(node.end_byte(), |h| h.body.start)
            .min(node.end_byte());
        instruction.line_range =
            node.start_byte()..trim_line_end(source, node.start_byte(), line_end);
        Some(instruction)
    }
}

/// The flags right after the keyword. They come before everything else, so
/// the walk stops at the first other child: a RUN with a long shell command
/// has dozens of children, and this runs for every instruction on every
/// analysis.
fn flags_of(node: Node<'_>) -> Vec<Flag> {
    let flag_id = super::field_id("flag");
    let mut flags = Vec::new();
    let mut cursor = node.walk();
    if !cursor.goto_first_child() {
        return flags;
    }
    while cursor.goto_next_sibling() {
        let child = cursor.node();
        if cursor.field_id() == Some(flag_id) {
            flags.push(Flag {
                range: child.byte_range(),
                name: child
                    .child_by_field_id(super::field_id("name").get())
                    .map_or(child.byte_range(), |n| n.byte_range()),
                value: child
                    .child_by_field_id(super::field_id("value").get())
                    .map(|n| n.byte_range()),
            });
        } else if !child.is_extra() {
            break;
        }
    }
    flags
}

fn command_form(node: Node<'_>) -> CommandForm {
    let mut cursor = node.walk();
    if node.kind() == "json_array" {
        let items = node
            .named_children(&mut cursor)
            .filter(|n| n.kind() == "json_string")
            .map(|n| n.byte_range())
            .collect();
        CommandForm::Exec {
            range: node.byte_range(),
            items,
        }
    } else {
        CommandForm::Shell {
            range: node.byte_range(),
        }
    }
}

fn heredocs(node: Node<'_>, source: &str) -> Vec<Heredoc> {
    // `contains('<')` is a memchr: most instructions have no `<` at all.
    if !source
        .get(node.byte_range())
        .is_some_and(|t| t.contains('<') && t.contains("<<"))
    {
        return Vec::new();
    }
    let mut markers = Vec::new();
    collect_markers(node, &mut markers);
    let mut cursor = node.walk();
    let bodies: Vec<Node<'_>> = node
        .children_by_field_id(super::field_id("heredoc"), &mut cursor)
        .collect();
    markers
        .into_iter()
        .zip(bodies.iter().map(Some).chain(std::iter::repeat(None)))
        .map(|(marker, body)| match body {
            Some(body) => {
                let content = body.child_by_field_id(super::field_id("body").get());
                let end = body
                    .child_by_field_id(super::field_id("end").get())
                    .filter(|e| !e.is_missing())
                    .map(|e| e.byte_range());
                let start = body.start_byte();
                Heredoc {
                    marker,
                    body: content.map_or(start..start, |c| c.byte_range()),
                    end,
                }
            }
            None => Heredoc {
                marker,
                body: node.end_byte()..node.end_byte(),
                end: None,
            },
        })
        .collect()
}

fn collect_markers(node: Node<'_>, out: &mut Vec<Range<usize>>) {
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        match child.kind() {
            "heredoc_marker" => out.push(child.byte_range()),
            "shell_command" => collect_markers(child, out),
            _ => {}
        }
    }
}

/// The last row an instruction occupies (a final newline belongs to the row it ends).
fn end_row(node: Node<'_>) -> usize {
    let end = node.end_position();
    if end.column == 0 && end.row > node.start_position().row {
        end.row - 1
    } else {
        end.row
    }
}

fn trim_line_end(source: &str, start: usize, mut end: usize) -> usize {
    let bytes = source.as_bytes();
    while end > start && matches!(bytes.get(end - 1), Some(b'\n' | b'\r')) {
        end -= 1;
    }
    end
}
