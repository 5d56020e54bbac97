// Zoom in and out, bottom left of the graph, as a named group of two buttons. Fitting is the
// toolbar's "Zoom to fit", which knows what lies over the graph (fit-area.ts); a second fit button
// here that did not would undo it.
import { ControlButton, Panel, useReactFlow, useStore } from '@xyflow/react';

export function ZoomControls() {
  const { zoomIn, zoomOut } = useReactFlow();
  const atMax = useStore((s) => s.transform[2] >= s.maxZoom);
  const atMin = useStore((s) => s.transform[2] <= s.minZoom);
  return (
    <Panel
      position="bottom-left"
      role="group"
      aria-label="Zoom"
      className="react-flow__controls vertical"
    >
      {[
        { label: 'Zoom in', glyph: '+', atEnd: atMax, zoom: zoomIn },
        { label: 'Zoom out', glyph: '−', atEnd: atMin, zoom: zoomOut },
      ].map(({ label, glyph, atEnd, zoom }) => (
        <ControlButton
          key={label}
          onClick={() => void zoom()}
          disabled={atEnd}
          aria-label={label}
          title={label}
        >
          <span aria-hidden className="text-base leading-none">
            {glyph}
          </span>
        </ControlButton>
      ))}
    </Panel>
  );
}
