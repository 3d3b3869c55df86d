"""The measure vocabulary: every quantity an exercise file can name for its rep signal or a fault, implemented once.

An exercise file picks a measure by `kind` and gives its parameters (which landmarks, which source). Landmarks are
named by role relative to the leg being measured — `hip`, `knee`, `ankle`, `heel`, `foot`, `shoulder`, `wrist`,
and the same with `other_` for the other side — so one definition serves the left and the right leg, and a
segment is `"hip>ankle"`. The leg is the exercise's working leg (or each leg, for a rep signal that lets motion
tell which leg works).

Sources. The picture (2-D pixels) keeps angles that lie across the camera and is the steadier of the two; MediaPipe's
world landmarks (3-D metres) see movement towards the camera that the picture loses. A measure takes
`source = "picture"`, `"world"`, `"larger"` (the larger of the two: a knee bending towards a frontal camera) or
`"blend"`: weighted per frame by how squarely the moving plane faces the camera (`reliability`), so the choice is
measured, not believed, and never jumps.

A `Reading` is the value (NaN when it cannot be measured), an optional reason it cannot be judged in this frame,
and, for rep signals, the key its resting value is kept under and the share taken from the picture.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from app.engine.exercises.base import (LEG, OTHER, angle3_deg, blend, midpoint, picture_weight, plane_facing,
                                       visible_pair, world_angle_deg, world_depth_angle_deg)
from app.engine.exercises.lying import hip_line_in_body_frame, roll_unjudged_reason, world_body_axis
from app.engine.geometry import angle_between_deg, joint_angle_deg, signed_angle_deg
from app.engine.landmarks import LM

SIDES = ("left", "right")
_UP = np.array([0.0, -1.0])

# Landmark index by role, per leg.
_ROLES = {
    "left": {"hip": LM.L_HIP, "knee": LM.L_KNEE, "ankle": LM.L_ANKLE, "heel": LM.L_HEEL, "foot": LM.L_FOOT,
             "shoulder": LM.L_SHOULDER, "elbow": LM.L_ELBOW, "wrist": LM.L_WRIST},
    "right": {"hip": LM.R_HIP, "knee": LM.R_KNEE, "ankle": LM.R_ANKLE, "heel": LM.R_HEEL, "foot": LM.R_FOOT,
              "shoulder": LM.R_SHOULDER, "elbow": LM.R_ELBOW, "wrist": LM.R_WRIST},
}
ROLES = tuple(_ROLES["left"]) + tuple(f"other_{r}" for r in _ROLES["left"])


def landmark(role: str, leg: str) -> int:
    if role.startswith("other_"):
        return _ROLES[OTHER[leg]][role[len("other_"):]]
    return _ROLES[leg][role]


def segment(spec: str, leg: str) -> tuple[int, int]:
    a, b = spec.split(">")
    return landmark(a, leg), landmark(b, leg)


@dataclass(frozen=True)
class Frame:
    """One frame's smoothed picture landmarks (pixels), their visibility, and the world landmarks (or None)."""

    xy: np.ndarray
    vis: np.ndarray
    world: np.ndarray | None
    # Readings already taken in this frame: a rep signal, the stance rule and a metric often read the same
    # measure of the same leg (the step-down's knee flexion three times), and a measure is a function of the frame.
    memo: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def trunk_seen(self) -> bool:
        return visible_pair(self.vis, LM.L_SHOULDER, LM.R_SHOULDER)

    def thigh_px(self) -> float:
        """Mean length of the two thighs in the picture: the body's own ruler, whatever the camera distance."""
        xy = self.xy
        return (float(np.hypot(*(xy[LM.L_KNEE] - xy[LM.L_HIP]))) + float(np.hypot(*(xy[LM.R_KNEE] - xy[LM.R_HIP])))) / 2.0


@dataclass(frozen=True)
class Reading:
    value: float | np.ndarray
    unjudged: str | None = None  # why a fault cannot be judged from this frame
    key: str = ""  # rep signals: the resting value this reading is compared with
    picture_weight: float = 1.0  # share of the value that came from the picture


NAN = Reading(math.nan)


@dataclass(frozen=True)
class Param:
    """One parameter a measure kind takes from the exercise file."""

    kind: str  # "text" | "number" | "segment" | "segments" | "roles"
    default: object = None
    choices: tuple[str, ...] | None = None
    count: int | None = None  # "roles": how many landmark roles (3 for a joint, 2 for a gap)


@dataclass(frozen=True)
class MeasureKind:
    name: str
    doc: str
    params: dict[str, Param]
    fn: Callable[..., Reading]
    # Reading the other leg gives exactly the negative value (a tilt signed towards one side): when the working
    # leg turns out to be the other one, its resting value is the negative, not something to learn again.
    antisymmetric: bool = False


VOCABULARY: dict[str, MeasureKind] = {}


def _kind(name: str, doc: str, antisymmetric: bool = False, **params: Param):
    def register(fn):
        VOCABULARY[name] = MeasureKind(name, doc, params, fn, antisymmetric)
        return fn
    return register


@dataclass(frozen=True)
class Measure:
    """A measure as an exercise file configures it: a kind from the vocabulary with its parameters, and which
    legs it is read on: the working leg; the larger of the two legs' values (either knee caving in, the more
    bent knee); or each leg with its own key (a rep signal whose rising leg names the working leg)."""

    kind: str
    params: dict[str, object] = field(default_factory=dict)
    legs: str = "working"

    def read(self, frame: Frame, leg: str) -> Reading:
        if self.legs == "larger":
            return self._larger(frame)
        return self.read_leg(frame, leg)

    def read_leg(self, frame: Frame, leg: str) -> Reading:
        """This leg's reading, whatever `legs` says."""
        key = (self.kind, tuple(sorted(self.params.items())), leg)
        reading = frame.memo.get(key)
        if reading is None:
            reading = frame.memo[key] = VOCABULARY[self.kind].fn(frame, leg, **self.params)
        return reading

    def read_signal(self, frame: Frame, leg: str) -> dict[str, Reading]:
        """The rep signal's readings by key: per leg, the larger leg, or the working leg's one."""
        if self.legs == "each":
            # Keys "<leg>@<what>": the tracker takes the leg of the key that rises as the working leg.
            readings = [self.read_leg(frame, side) for side in SIDES]
            return {(r.key if "@" in r.key else f"{side}@{r.key or self.kind}"): r for r, side in zip(readings, SIDES)}
        reading = self.read(frame, leg)
        return {reading.key: reading}

    def _larger(self, frame: Frame) -> Reading:
        left, right = (self.read_leg(frame, side) for side in SIDES)
        # NaN-safe in the same way as Python's max(left, right): a NaN first value wins, a NaN second loses.
        best = left if not left.value < right.value else right
        value = max(left.value, right.value)
        return Reading(value, unjudged=best.unjudged, key="", picture_weight=best.picture_weight)


LEGS = ("working", "larger", "each")


# -- reliability: how much to trust the picture in this frame ------------------------------------------------

def frontal_plane_facing(frame: Frame) -> float:
    """|cos| of the body's frontal plane (trunk axis × hip line) against the camera axis, from world landmarks."""
    axis_w = world_body_axis(frame.world, frame.vis) if frame.trunk_seen else None
    hips_w = frame.world[LM.L_HIP] - frame.world[LM.R_HIP] if frame.world is not None else None
    return plane_facing(axis_w, hips_w)


def line_across_picture(world: np.ndarray | None, a: int, b: int) -> float:
    """How much of the line a→b lies across the picture (1) rather than along the camera axis (0)."""
    if world is None:
        return math.nan
    d = world[a] - world[b]
    norm = float(np.linalg.norm(d))
    return float(np.hypot(d[0], d[1])) / norm if norm > 1e-6 and math.isfinite(norm) else math.nan


# -- the vocabulary --------------------------------------------------------------------------------------------

@_kind("joint_angle", "Angle at the middle landmark of three (e.g. hip, knee, ankle); `flexion` gives 180 minus it.",
       joint=Param("roles", count=3), flexion=Param("bool", False),
       source=Param("text", "picture", ("picture", "world", "larger")))
def joint_angle(frame: Frame, leg: str, joint, flexion=False, source="picture") -> Reading:
    a, b, c = (landmark(r, leg) for r in joint)
    xy, world = frame.xy, frame.world
    picture = joint_angle_deg(xy[a], xy[b], xy[c])
    if flexion:
        picture = 180.0 - picture
    if source == "picture":
        return Reading(picture)
    in_3d = math.nan
    if world is not None and np.all(np.isfinite(world[[a, b, c]])):
        angle = angle3_deg(world[a] - world[b], world[c] - world[b])
        in_3d = 180.0 - angle if flexion and math.isfinite(angle) else angle
    if source == "world":
        return Reading(in_3d, picture_weight=0.0)
    # "larger": seen from the front a knee bends towards the camera and its picture angle hardly changes; with
    # the camera a little to the side the picture is the steadier. The larger of the two works from either view.
    if not math.isfinite(in_3d):
        return Reading(picture)
    if not math.isfinite(picture):
        return Reading(in_3d, picture_weight=0.0)
    return Reading(max(picture, in_3d), picture_weight=1.0 if picture >= in_3d else 0.0)


@_kind("segment_angle", "Angle between two segments (e.g. the thighs), picture, world or blended by reliability.",
       segments=Param("segments"), source=Param("text", "blend", ("picture", "world", "blend")),
       reliability=Param("text", "end_line", ("end_line", "frontal_plane")),
       full_at=Param("number", 0.85), none_at=Param("number", 0.5))
def segment_angle(frame: Frame, leg: str, segments, source="blend", reliability="end_line", full_at=0.85,
                  none_at=0.5) -> Reading:
    (a, b), (c, d) = (segment(s, leg) for s in segments)
    picture = angle_between_deg(frame.xy[b] - frame.xy[a], frame.xy[d] - frame.xy[c])
    in_3d = world_angle_deg(frame.world, (a, b), (c, d))
    if source == "picture":
        return Reading(picture)
    if source == "world":
        return Reading(in_3d, picture_weight=0.0)
    facing = (line_across_picture(frame.world, b, d) if reliability == "end_line" else frontal_plane_facing(frame))
    weight = picture_weight(facing, full_at=full_at, none_at=none_at)
    return Reading(blend(picture, in_3d, weight), picture_weight=weight)


@_kind("opening", "How far two segments from one pivot open, for counting: the gap between their ends as a chord "
       "angle in the picture (it grows plainly where the angle barely turns), or their 3-D angle from world "
       "landmarks while the line between the ends points at the camera (keys \"picture\" / \"world\").",
       segments=Param("segments"), world_below=Param("number", 0.5))
def opening(frame: Frame, leg: str, segments, world_below=0.5) -> Reading:
    (a, b), (c, d) = (segment(s, leg) for s in segments)
    xy = frame.xy
    in_3d = world_angle_deg(frame.world, (a, b), (c, d))
    facing = line_across_picture(frame.world, b, d)
    if facing < world_below and math.isfinite(in_3d):
        return Reading(in_3d, key="world", picture_weight=0.0)
    length = (float(np.hypot(*(xy[b] - xy[a]))) + float(np.hypot(*(xy[d] - xy[c])))) / 2.0
    gap = float(np.hypot(*(xy[b] - xy[d])))
    chord = math.degrees(2.0 * math.asin(min(1.0, gap / (2.0 * length)))) if length > 1e-6 else math.nan
    return Reading(chord, key="picture")


@_kind("axis_angle", "Angle of a segment (e.g. hip>ankle) against the body's long axis (shoulders to hips, "
       "continued), blended between picture and world by how squarely the frontal plane faces the camera. "
       "Without the shoulders in view a rep signal measures against the other leg instead (keys \"<leg>@legs\"); "
       "a fault is then not judged.",
       segment=Param("segment"), full_at=Param("number", 0.9), none_at=Param("number", 0.6),
       without_trunk=Param("text", "unjudged", ("unjudged", "other_leg")), signed=Param("bool", False))
def axis_angle(frame: Frame, leg: str, segment, full_at=0.9, none_at=0.6, without_trunk="unjudged",
               signed=False) -> Reading:
    """`signed`: + outwards (away from the other hip), − across the midline. Standing, a leg swinging back across
    the body after an abduction would otherwise read as a second lift."""
    a, b = globals()["segment"](segment, leg)
    xy, world = frame.xy, frame.world
    if not frame.trunk_seen:
        if without_trunk == "unjudged":
            return Reading(math.nan, unjudged="shoulders out of the picture", key=f"{leg}@trunk")
        oa, ob = landmark("other_" + segment.split(">")[0], leg), landmark("other_" + segment.split(">")[1], leg)
        return Reading(angle_between_deg(xy[b] - xy[a], xy[ob] - xy[oa]), key=f"{leg}@legs")
    weight = picture_weight(frontal_plane_facing(frame), full_at=full_at, none_at=none_at)
    down_px = midpoint(xy, LM.L_HIP, LM.R_HIP) - midpoint(xy, LM.L_SHOULDER, LM.R_SHOULDER)
    picture = angle_between_deg(xy[b] - xy[a], down_px)
    other_hip = landmark("other_hip", leg)
    if signed:
        picture *= _outward_sign(xy[b] - xy[a], down_px, xy[a] - xy[other_hip])
    in_3d = math.nan
    if world is not None:
        shoulders, hips = midpoint(world, LM.L_SHOULDER, LM.R_SHOULDER), midpoint(world, LM.L_HIP, LM.R_HIP)
        in_3d = angle3_deg(world[b] - world[a], hips - shoulders)
        if signed:
            in_3d *= _outward_sign(world[b] - world[a], hips - shoulders, world[a] - world[other_hip])
    return Reading(blend(picture, in_3d, weight), key=f"{leg}@trunk", picture_weight=weight)


def _outward_sign(limb: np.ndarray, down: np.ndarray, outwards: np.ndarray) -> float:
    """+1 when the limb points away from the body's midline (its part across the body axis goes the way of
    `outwards`, from the other hip to this one), −1 when it crosses towards the other side."""
    norm = float(np.linalg.norm(down))
    if not norm > 1e-9:
        return 1.0
    d = down / norm
    across = limb - float(np.dot(limb, d)) * d
    return -1.0 if float(np.dot(across, outwards)) < 0 else 1.0


@_kind("distance", "Distance between two landmarks in thigh lengths (the body's own ruler), in the picture.",
       between=Param("roles", count=2), min_visibility=Param("number", 0.0), unseen_reason=Param("text", "not clearly seen"))
def distance(frame: Frame, leg: str, between, min_visibility=0.0, unseen_reason="not clearly seen") -> Reading:
    a, b = (landmark(r, leg) for r in between)
    thigh = frame.thigh_px()
    value = float(np.hypot(*(frame.xy[a] - frame.xy[b]))) / thigh if thigh > 1e-6 else math.nan
    unjudged = unseen_reason if min(frame.vis[a], frame.vis[b]) < min_visibility else None
    return Reading(value, unjudged=unjudged)


@_kind("depth_angle", "How far a segment points towards the camera (+) or away (-), from world landmarks: a leg "
       "drifting in front of a body that faces the camera. Compared with the user's own start (depth is rough).",
       segment=Param("segment"), positive=Param("text", "towards_camera", ("towards_camera", "away_from_camera")))
def depth_angle(frame: Frame, leg: str, segment, positive="towards_camera") -> Reading:
    a, b = globals()["segment"](segment, leg)
    angle = world_depth_angle_deg(frame.world, a, b)
    return Reading(-angle if positive == "towards_camera" else angle, picture_weight=0.0)


@_kind("pelvic_obliquity", antisymmetric=True, doc="The hip line's angle in the picture, signed so that + means the other leg's hip is "
       "lower than this leg's (a pelvic drop on the free side of a stance leg; a hip hike of a working leg). "
       "Compared with the user's own standing value, so a camera rolled a little does not matter. "
       "`positive = \"other_side_up\"` turns the sign round (a hike of the free side, seen from the stance leg).",
       positive=Param("text", "other_side_down", ("other_side_down", "other_side_up")),
       min_hip_facing=Param("number", 0.0))
def pelvic_obliquity(frame: Frame, leg: str, positive="other_side_down", min_hip_facing=0.0) -> Reading:
    """`min_hip_facing`: not judged while less than this share of the hip line lies across the picture (world
    landmarks): seen from well to the side or from behind at an angle, the line's tilt in the picture is mostly
    perspective (a camera behind and to one side read 17-30° "hikes" on reps with level hips)."""
    other = OTHER[leg]
    # Facing the camera, the person's left is the picture's right: flipping the line for one side keeps it
    # pointing rightwards (no ±180° wrap) and "other side down" positive.
    s = 1.0 if other == "left" else -1.0
    line = (frame.xy[LEG[other][0]] - frame.xy[LEG[leg][0]]) * s
    if not np.all(np.isfinite(line)):
        return NAN
    value = s * math.degrees(math.atan2(float(line[1]), float(line[0])))
    unjudged = None
    if min_hip_facing > 0 and line_across_picture(frame.world, LEG[leg][0], LEG[other][0]) < min_hip_facing:
        unjudged = "hips seen at an angle from this camera"
    return Reading(value if positive == "other_side_down" else -value, unjudged=unjudged)


@_kind("trunk_lean", antisymmetric=True, doc="The trunk's sideways angle in the picture (hips to shoulders against the picture's up), "
       "+ towards this leg or the other one. Not measured without both shoulders in view.",
       positive=Param("text", "towards_leg", ("towards_leg", "towards_other_leg")))
def trunk_lean(frame: Frame, leg: str, positive="towards_leg") -> Reading:
    if not frame.trunk_seen:
        return Reading(math.nan, unjudged="shoulders out of the picture")
    s = 1.0 if OTHER[leg] == "left" else -1.0
    trunk = midpoint(frame.xy, LM.L_SHOULDER, LM.R_SHOULDER) - midpoint(frame.xy, LM.L_HIP, LM.R_HIP)
    lean = -s * signed_angle_deg(_UP, trunk)
    return Reading(lean if positive == "towards_leg" else -lean)


@_kind("knee_valgus", "The knee angling inwards, towards the other leg, in the picture: the signed angle between "
       "thigh and shank in the frontal plane (+ = knee towards the midline).")
def knee_valgus(frame: Frame, leg: str) -> Reading:
    xy = frame.xy
    hip, knee, ankle = LEG[leg]
    bend = signed_angle_deg(xy[knee] - xy[hip], xy[ankle] - xy[knee])
    # With y down, a knee pushed towards +x turns the shank clockwise from the thigh (positive bend); the sign
    # flip makes + always mean "towards the other leg".
    medial_sign = 1.0 if xy[LEG[OTHER[leg]][0]][0] > xy[hip][0] else -1.0
    return Reading(bend * medial_sign if math.isfinite(bend) else math.nan)


@_kind("hip_roll", "Lying on the side: the bottom-to-top hip vector in the body's own frame, in thigh lengths. It "
       "stays put while the hips are stacked and moves when the pelvis rolls; not judged when the hips overlap "
       "from this camera angle.")
def hip_roll(frame: Frame, leg: str) -> Reading:
    return Reading(hip_line_in_body_frame(frame.xy, frame.vis, leg), unjudged=roll_unjudged_reason(frame.xy, frame.vis))



GAP_RATIO_CAP = 10.0  # a gap closed to nothing reads as this (a finite value for warnings, JSON and charts)


@_kind("gap_ratio", "The distance between two landmarks over the distance between two others, in the picture: "
       "the feet's gap over the knees' gap grows as the knees cave in towards each other while the feet stay "
       "apart. A ratio of two gaps across the body, so the camera's distance and roll do not change it. Not "
       "judged while the hips are less than `min_hip_width` thigh lengths apart in the picture (the body turned "
       "sideways to the camera, both gaps foreshortened).",
       between=Param("roles", count=2), over=Param("roles", count=2), min_hip_width=Param("number", 0.0))
def gap_ratio(frame: Frame, leg: str, between, over, min_hip_width=0.0) -> Reading:
    a, b = (landmark(r, leg) for r in between)
    c, d = (landmark(r, leg) for r in over)
    xy = frame.xy
    top, bottom = float(np.hypot(*(xy[a] - xy[b]))), float(np.hypot(*(xy[c] - xy[d])))
    if not (math.isfinite(top) and math.isfinite(bottom)):
        return NAN
    value = min(GAP_RATIO_CAP, top / bottom) if bottom > 1e-6 else GAP_RATIO_CAP
    thigh = frame.thigh_px()
    hips = float(np.hypot(*(xy[LM.L_HIP] - xy[LM.R_HIP])))
    turned = min_hip_width > 0 and not (thigh > 1e-6 and hips / thigh >= min_hip_width)
    return Reading(value, unjudged="body turned sideways to the camera" if turned else None)
