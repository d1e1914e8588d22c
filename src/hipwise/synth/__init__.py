"""Synthetic, exactly labelled side-lying leg lift clips (scenario → motion → render).

Only light modules are imported here; the renderer (torch, anny, pyrender, PyAV) is imported
on use from :mod:`hipwise.synth.render`.
"""

from hipwise.synth.motion import JointTrack
from hipwise.synth.scenario import Scenario, ScenarioError
from hipwise.synth.script import MotionScript, script_motion

__all__ = ["JointTrack", "MotionScript", "Scenario", "ScenarioError", "script_motion"]
