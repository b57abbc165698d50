"""Faces in a picture, found with the Haar cascades bundled in OpenCV's wheel (``cv2.data.haarcascades``).

The frame is reduced to a fixed working size (faces smaller than a fraction of the picture are not looked
for: a portrait or a selfie, not a speck in a crowd), equalised, and searched by the frontal cascades and,
optionally, the profile cascade on the frame and its mirror image. A face counts when the cascades agree
as the settings in data/faces.yaml say; overlapping hits are merged. Boxes are in the original pixels.
The settings and the recall / false-alarm measurements behind them: docs/images-engines.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from postguard.domain.images.geometry import Box, clip, overlap, scale
from postguard.domain.rule_data import RuleData, load_rule_data

_SETTINGS: RuleData = load_rule_data(Path(__file__).parent / "data" / "faces.yaml")
FRONTAL = ("haarcascade_frontalface_default.xml", "haarcascade_frontalface_alt2.xml")
PROFILE = "haarcascade_profileface.xml"


@dataclass(frozen=True, slots=True)
class Face:
    """A face's box in frame pixels and a confidence (0..1) from how many cascades found it."""

    box: Box
    confidence: float


@dataclass(frozen=True, slots=True)
class _Hit:
    box: Box
    source: str


class FaceDetector:
    """OpenCV Haar-cascade face detector tuned on the generated set of devtools/image_samples.py."""

    def __init__(
        self,
        *,
        min_face_fraction: float = _SETTINGS.number("min_face_fraction"),
        min_neighbors: int = int(_SETTINGS.number("min_neighbors")),
        scale_factor: float = _SETTINGS.number("scale_factor"),
        working_side: int = int(_SETTINGS.number("working_side_px")),
        min_agreeing: int = int(_SETTINGS.number("min_agreeing_cascades")),
        profile: bool = bool(_SETTINGS.number("use_profile")),
    ) -> None:
        """Load the cascades. ``min_face_fraction``: the smallest face side / the frame's shorter side."""
        self.min_face_fraction = min_face_fraction
        self.min_neighbors = min_neighbors
        self.scale_factor = scale_factor
        self.working_side = working_side
        self.min_agreeing = min_agreeing
        self._frontal = [(name, _cascade(name)) for name in FRONTAL]
        self._profile = _cascade(PROFILE) if profile else None

    def detect(self, image: Image.Image) -> list[Face]:
        """The faces in ``image``, largest first."""
        grey, factor = self._working_frame(image)
        hits = self._hits(grey)
        faces = []
        for group in _group(hits):
            sources = {hit.source for hit in group}
            if len(sources) < self.min_agreeing:
                continue
            box = clip(scale(_mean_box([hit.box for hit in group]), 1.0 / factor), image.width, image.height)
            faces.append(Face(box, round(min(0.95, 0.55 + 0.2 * len(sources)), 2)))
        return sorted(faces, key=lambda f: -f.box[2] * f.box[3])

    def _working_frame(self, image: Image.Image) -> tuple[np.ndarray, float]:
        """The frame in equalised grayscale at the working size, and the factor applied."""
        grey = image.convert("L")
        factor = min(1.0, self.working_side / max(grey.size))
        if factor < 1.0:
            size = (max(1, round(grey.width * factor)), max(1, round(grey.height * factor)))
            grey = grey.resize(size, Image.Resampling.BOX)
        return cv2.equalizeHist(np.asarray(grey, dtype=np.uint8)), factor

    def _hits(self, grey: np.ndarray) -> list[_Hit]:
        """Every box each cascade reports on the working frame (profile: on the frame and its mirror)."""
        side = max(int(_SETTINGS.number("min_face_px")), int(self.min_face_fraction * min(grey.shape)))
        hits = []
        for name, cascade in self._frontal:
            hits += [_Hit(box, name) for box in self._run(cascade, grey, side)]
        if self._profile is not None:
            hits += [_Hit(box, PROFILE) for box in self._run(self._profile, grey, side)]
            width = grey.shape[1]
            mirrored = self._run(self._profile, np.ascontiguousarray(grey[:, ::-1]), side)
            hits += [_Hit((width - b[0] - b[2], b[1], b[2], b[3]), PROFILE + "-mirror") for b in mirrored]
        return hits

    def _run(self, cascade: cv2.CascadeClassifier, grey: np.ndarray, side: int) -> list[Box]:
        if min(grey.shape) < side:
            return []
        found = cascade.detectMultiScale(
            grey, scaleFactor=self.scale_factor, minNeighbors=self.min_neighbors, minSize=(side, side)
        )
        return [(int(x), int(y), int(w), int(h)) for x, y, w, h in found]


def _cascade(name: str) -> cv2.CascadeClassifier:
    cascade = cv2.CascadeClassifier(str(Path(cv2.data.haarcascades) / name))
    if cascade.empty():
        raise RuntimeError(f"OpenCV cascade {name} could not be loaded")
    return cascade


def _mean_box(boxes: list[Box]) -> Box:
    """The average of the boxes, coordinate by coordinate."""
    return tuple(round(sum(b[i] for b in boxes) / len(boxes)) for i in range(4))  # type: ignore[return-value]


def _group(hits: list[_Hit]) -> list[list[_Hit]]:
    """Hits clustered by overlap (intersection over union above the setting) into one group per face."""
    threshold = _SETTINGS.number("merge_overlap")
    groups: list[list[_Hit]] = []
    for hit in sorted(hits, key=lambda h: -h.box[2] * h.box[3]):
        for group in groups:
            if any(overlap(hit.box, other.box) > threshold for other in group):
                group.append(hit)
                break
        else:
            groups.append([hit])
    return groups
