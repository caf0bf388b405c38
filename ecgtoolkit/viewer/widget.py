"""The viewer in JupyterLab: ipywidgets controls around the picture (:func:`view`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..core.ecg import ECG
from ..plot.paper import WAVES
from .calipers import SNAP_KINDS
from .model import WINDOW_CHOICES_S, ECGViewer

if TYPE_CHECKING:
    import ipywidgets
    import pandas as pd

__all__ = ["WATCHED_EVENTS", "build_widget", "on_image_event", "view"]

#: The browser events of the picture that the viewer answers (with ipyevents installed).
WATCHED_EVENTS = ("click", "keydown")


def on_image_event(viewer: ECGViewer, event: dict, *, snap: bool | str = False) -> None:
    """Answer a browser event of the picture, as ipyevents reports it.

    A click (``{"type": "click", "dataX": x, "dataY": y}``, in the picture's pixels)
    places the next caliper there, snapped as ``snap`` says (see
    :meth:`ECGViewer.set_calipers`: ``True`` or ``"R"`` for the nearest R peak); the
    keys → and ← scroll, + (or =) and − zoom, which leave the calipers on their beats.

    Examples
    --------
    >>> import numpy as np, ecgtoolkit as et
    >>> viewer = et.ECGViewer(et.ECG(np.zeros((1, 15000)), fs=500, leads=["II"]))
    >>> on_image_event(viewer, {"type": "keydown", "key": "ArrowRight"})
    >>> viewer.start_s
    10.0
    """
    keys = {
        "ArrowRight": viewer.next,
        "ArrowLeft": viewer.previous,
        "+": viewer.zoom_in,
        "=": viewer.zoom_in,
        "-": viewer.zoom_out,
    }
    if event.get("type") == "click" and "dataX" in event:
        viewer.click(event["dataX"], event["dataY"], snap=snap)
    elif event.get("type") == "keydown" and event.get("key") in keys:
        keys[event["key"]]()


def build_widget(viewer: ECGViewer) -> ipywidgets.VBox:
    """Controls around the picture; every change goes through the viewer's methods."""
    import ipywidgets as w

    all_leads = "all leads"
    button = w.Layout(width="42px")
    previous = w.Button(description="◀", tooltip="previous window", layout=button)
    following = w.Button(description="▶", tooltip="next window", layout=button)
    start = w.FloatSlider(
        description="start (s)",
        step=0.01,
        readout_format=".2f",
        continuous_update=False,
        layout=w.Layout(width="460px"),
    )
    window = w.Dropdown(description="window", layout=w.Layout(width="170px"))
    lead_options = list(viewer.available_leads)
    if len(lead_options) > 1:
        lead_options.append(all_leads)
    lead = w.Dropdown(options=lead_options, description="lead", layout=w.Layout(width="170px"))
    marks = w.Checkbox(value=viewer.show_marks, description="fiducials", indent=False)
    marks.layout.width = "90px"
    slider = {"step": 1 / viewer.fs, "readout_format": ".3f", "continuous_update": False}
    c1 = w.FloatSlider(description="caliper 1 (s)", layout=w.Layout(width="420px"), **slider)
    c2 = w.FloatSlider(description="caliper 2 (s)", layout=w.Layout(width="420px"), **slider)
    for control in (c1, c2):
        control.style.description_width = "90px"
    show = w.Checkbox(value=viewer.show_calipers, description="calipers", indent=False)
    show.layout.width = "90px"
    snap = w.Dropdown(
        options=[("off", False), *((label, kind) for kind, label in SNAP_KINDS.items())],
        value="R",
        description="snap to",
        layout=w.Layout(width="170px"),
    )
    snap.style.description_width = "55px"
    to_beats = w.Button(
        description="calipers to beats",
        tooltip="put the calipers on the first two R peaks in view",
        layout=w.Layout(width="140px"),
    )
    reading = w.HTML()
    status = w.HTML()
    image = w.Image(format="png")
    image.layout.max_width = "100%"
    image.layout.height = "auto"
    waves = ", ".join(
        f"<b style='color:{colour}'>{wave}</b>" for wave, (_, colour) in WAVES.items()
    )
    legend = w.HTML(f"<small>Fiducials: {waves} (| onset and offset, • peak).</small>")
    syncing = {"on": False}

    def refresh() -> None:
        """Show the viewer's state in the controls and the picture."""
        syncing["on"] = True
        try:
            lo, hi = viewer.slider_range
            # One message per slider, so the browser never clamps a value to the old range.
            with start.hold_sync(), start.hold_trait_notifications():
                start.min, start.max = lo, max(hi, lo)
                start.value = viewer.start_s
            start.disabled = hi <= lo
            choices = sorted(
                {*[c for c in WINDOW_CHOICES_S if c <= viewer.duration_s], viewer.window_s}
            )
            with window.hold_sync():
                window.options = [(f"{c:g} s", c) for c in choices]
                window.value = viewer.window_s
            lead.value = (
                all_leads if len(viewer.leads) == len(viewer.available_leads) > 1 else viewer.lead
            )
            marks.value = viewer.show_marks
            show.value = viewer.show_calipers
            # A caliper outside the window shows at the slider's end (the reading says
            # it is off-screen); moving the slider brings it into view.
            for control, t in zip((c1, c2), viewer.calipers or (None, None), strict=True):
                shown = viewer.start_s if t is None else min(max(t, viewer.start_s), viewer.end_s)
                with control.hold_sync(), control.hold_trait_notifications():
                    control.min, control.max = viewer.start_s, viewer.end_s
                    control.value = shown
                control.disabled = not viewer.show_calipers
            reading.value = f"<b>{viewer.caliper_text}</b>" if viewer.show_calipers else ""
            status.value = f"<small>{viewer._status_text()}</small>"
            image.value = viewer.render()
            image.width = str(int(viewer.figure.bbox.width))  # shown pixel for pixel
        finally:
            syncing["on"] = False

    def act(change_model):
        """A control's handler: change the model (which redraws), or show why not."""

        def handler(*args):
            if syncing["on"]:
                return
            try:
                change_model(*args)
            except (ValueError, KeyError) as error:
                viewer.note = str(error).strip("'\"")
                refresh()

        return handler

    def set_lead(change):
        viewer.leads = viewer.available_leads if change["new"] == all_leads else change["new"]

    def set_marks(change):
        if change["new"]:
            status.value = "<small>delineating…</small>"
        viewer.show_marks = change["new"]

    previous.on_click(act(lambda _: viewer.previous()))
    following.on_click(act(lambda _: viewer.next()))
    start.observe(act(lambda change: setattr(viewer, "start_s", change["new"])), "value")
    window.observe(act(lambda change: setattr(viewer, "window_s", change["new"])), "value")
    lead.observe(act(set_lead), "value")
    marks.observe(act(set_marks), "value")
    for which, control in ((1, c1), (2, c2)):
        control.observe(
            act(
                lambda change, which=which: viewer.move_caliper(
                    which, change["new"], snap=snap.value
                )
            ),
            "value",
        )
    show.observe(act(lambda change: setattr(viewer, "show_calipers", change["new"])), "value")
    to_beats.on_click(act(lambda _: viewer.calipers_to_beats()))

    controls = [
        w.HBox([previous, start, following, window, lead, marks]),
        image,
        w.HBox([c1, c2, show, snap, to_beats]),
        reading,
        status,
        legend,
    ]
    try:
        from ipyevents import Event
    except ImportError:
        hint = (
            "To measure RR, move the caliper sliders near two consecutive R peaks (snap to "
            "R peak) and read RR and rate above; zooming and scrolling leave the calipers "
            "on their beats. Install ipyevents to place them by clicking the trace."
        )
    else:
        hint = (
            "To measure RR, click two consecutive R peaks (snap to R peak) and read RR and "
            "rate above; with the pointer on the picture, ← → scroll and + − zoom, and the "
            "calipers stay on their beats."
        )
        events = Event(
            source=image, watched_events=list(WATCHED_EVENTS), prevent_default_action=True
        )
        events.on_dom_event(act(lambda event: on_image_event(viewer, event, snap=snap.value)))
        viewer._events = events  # the click and key listener lives as long as the viewer
    controls.append(w.HTML(f"<small>{hint}</small>"))
    refresh()
    viewer.on_change(refresh)
    return w.VBox(controls)


def view(
    ecg: ECG,
    *,
    lead: str | Sequence[str] | None = None,
    start_s: float = 0.0,
    window_s: float = 10.0,
    marks: bool | pd.DataFrame | None = None,
    record: int | None = None,
) -> ipywidgets.VBox:
    """Show an ECG in Jupyter on ECG paper, to scroll, zoom, switch leads and measure.

    ◀ ▶ move by one window, the slider anywhere in the record, the window menu zooms
    (2.5 to 60 s; windows over 10 s wrap into rows of 10 s), the lead menu switches
    leads (or shows them all). Two calipers (dashed lines) read Δt in ms, the rate in
    bpm that Δt means as an RR interval, and ΔV in mV between the values of the top lead
    at the two calipers. They start on the first two R peaks in view; move them with
    their sliders or, with ipyevents installed, by clicking the trace (first click
    caliper 1, next click caliper 2). "snap to" puts a moved caliper on the nearest R
    peak in view (or P, QRS or T onset, peak or end; "off" for free placement), and
    "calipers to beats" brings them back onto the first two R peaks in view. The
    calipers are fixed to the record: scrolling and zooming never move them, and they
    are not drawn while outside the window.

    Parameters
    ----------
    ecg : ECG
        One record, or a batch with ``record``.
    lead : str or sequence of str, optional
        Lead(s) shown first. Default: II if present, else the first lead.
    start_s : float
        Start of the first window in seconds.
    window_s : float
        Window length in seconds, 2.5 to 60.
    marks : bool or pandas.DataFrame, optional
        ``True`` draws the fiducials of :func:`ecgtoolkit.delineate` (P, QRS and T
        onsets, peaks and offsets); a DataFrame from it is drawn as given.
    record : int, optional
        Record of a batch to show.

    Returns
    -------
    ipywidgets.VBox
        The widget; its ``viewer`` attribute is the :class:`ECGViewer` behind it.

    Raises
    ------
    TypeError, ValueError, KeyError
        As :class:`ECGViewer`.

    Examples
    --------
    >>> import ecgtoolkit as et
    >>> from ecgtoolkit import view
    >>> ecg = et.read("mitdb/100")  # doctest: +SKIP
    >>> view(ecg, lead="V5", window_s=20, marks=True)  # doctest: +SKIP
    """
    viewer = ECGViewer(
        ecg, lead=lead, start_s=start_s, window_s=window_s, marks=marks, record=record
    )
    box = viewer.widget
    box.viewer = viewer
    return box
