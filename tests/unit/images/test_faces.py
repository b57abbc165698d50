"""FaceDetector: a portrait-size face is found, pictures without one report none."""

from __future__ import annotations

import pytest
from image_support import chart_image, face_image, landscape_image, radiograph_image, whiteboard_image
from PIL import Image
from postguard.devtools.image_samples import astronaut, skimage_photo
from postguard.domain.images.faces import Face, FaceDetector
from postguard.domain.images.geometry import contains

pytestmark = pytest.mark.unit

FACE_CENTRE = (224, 114)  # between the eyes and the mouth of skimage's astronaut (512 x 512)


@pytest.fixture(scope="module")
def detector() -> FaceDetector:
    return FaceDetector()


def covers(face: Face, point: tuple[int, int]) -> bool:
    return contains(face.box, (point[0], point[1], 1, 1))


def test_the_astronaut_has_one_face_where_her_face_is(detector: FaceDetector) -> None:
    faces = detector.detect(face_image())
    assert len(faces) == 1
    assert covers(faces[0], FACE_CENTRE)
    assert 60 <= faces[0].box[2] <= 160  # her face, not the whole picture
    assert 0.0 < faces[0].confidence <= 1.0


def test_a_face_in_a_12_megapixel_picture_is_boxed_in_its_own_pixels(detector: FaceDetector) -> None:
    canvas = landscape_image((4000, 3000))
    canvas.paste(astronaut().resize((1400, 1400)), (1300, 800))
    faces = detector.detect(canvas)
    assert len(faces) == 1
    centre = (1300 + FACE_CENTRE[0] * 1400 // 512, 800 + FACE_CENTRE[1] * 1400 // 512)
    assert covers(faces[0], centre)


def test_a_mirrored_and_a_slightly_turned_face_are_found(detector: FaceDetector) -> None:
    assert detector.detect(face_image().transpose(Image.Transpose.FLIP_LEFT_RIGHT))
    assert detector.detect(face_image().rotate(8, resample=Image.Resampling.BICUBIC))


@pytest.mark.parametrize(
    "picture",
    [chart_image, landscape_image, lambda: radiograph_image(["A. Person", "01/02/2024"])],
    ids=["chart", "landscape", "radiograph"],
)
def test_generated_pictures_without_a_face_have_none(detector: FaceDetector, picture) -> None:
    assert detector.detect(picture()) == []


def test_a_whiteboard_has_no_face(detector: FaceDetector) -> None:
    assert detector.detect(whiteboard_image(["Bed 4 - J. Smith", "Bed 5 - A. Patel"])) == []


@pytest.mark.parametrize("name", ["chelsea", "coffee", "rocket"])
def test_a_cat_a_coffee_cup_and_a_rocket_have_no_face(detector: FaceDetector, name: str) -> None:
    assert detector.detect(skimage_photo(name)) == []


def test_a_face_smaller_than_the_minimum_share_of_the_picture_is_not_reported(detector: FaceDetector) -> None:
    canvas = landscape_image((3000, 2000))
    canvas.paste(astronaut().resize((200, 200)), (1400, 900))  # face about 40 px: under 8% of 2000
    assert detector.detect(canvas) == []
    assert FaceDetector(min_face_fraction=0.01, working_side=3000).detect(canvas)  # but there is one
