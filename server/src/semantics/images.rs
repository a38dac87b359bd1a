//! The base image of every stage, with what rules need to point at and edit it.

use std::ops::Range;

use super::{Base, BaseImage, Semantics};
use crate::syntax::{Dockerfile, ImageRef, Instruction};

/// One `FROM <image>` that names an image (not scratch, not a stage).
pub struct FromImage<'a> {
    pub stage: usize,
    pub instruction: &'a Instruction,
    pub written: &'a ImageRef,
    pub image: &'a BaseImage,
}

impl FromImage<'_> {
    /// The tag's range when the FROM text is literal (so a fix can edit it).
    pub fn literal_tag(&self) -> Option<Range<usize>> {
        self.image
            .literal
            .then(|| self.written.tag.clone())
            .flatten()
    }

    /// Where a `:tag` goes when the literal reference has none.
    pub fn tag_insertion_point(&self) -> Option<usize> {
        (self.image.literal && self.written.tag.is_none() && self.written.digest.is_none())
            .then_some(self.written.name.end)
    }
}

/// Every FROM that names an image, in order.
pub fn from_images<'a>(model: &'a Dockerfile, semantics: &'a Semantics) -> Vec<FromImage<'a>> {
    let mut out = Vec::new();
    for (facts, stage) in semantics.stages.iter().zip(&model.stages) {
        let Base::Image(image) = &facts.base else {
            continue;
        };
        let Some(instruction) = model.instructions.get(stage.from) else {
            continue;
        };
        let Some(written) = &instruction.image else {
            continue;
        };
        out.push(FromImage {
            stage: stage.index,
            instruction,
            written,
            image,
        });
    }
    out
}
