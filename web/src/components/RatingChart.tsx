import type { HistoryPoint } from "../api";
import { when } from "../format";

/** The rating after each rated game, as an SVG line (no chart library). */
export function RatingChart({ points }: { points: HistoryPoint[] }) {
  const W = 640;
  const H = 200;
  const pad = { l: 44, r: 12, t: 12, b: 24 };
  const values = [points[0]!.before, ...points.map((p) => p.after)];
  const lo = Math.floor((Math.min(...values) - 10) / 10) * 10;
  const hi = Math.ceil((Math.max(...values) + 10) / 10) * 10;
  const x = (i: number) => pad.l + (i / Math.max(1, values.length - 1)) * (W - pad.l - pad.r);
  const y = (v: number) => pad.t + (1 - (v - lo) / (hi - lo)) * (H - pad.t - pad.b);
  const path = values.map((v, i) => `${i === 0 ? "M" : "L"}${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
  const ticks = [lo, Math.round((lo + hi) / 2), hi];
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`Rating over ${points.length} rated games, now ${Math.round(values[values.length - 1]!)}`}>
        {ticks.map((t) => (
          <g key={t}>
            <line x1={pad.l} x2={W - pad.r} y1={y(t)} y2={y(t)} className="grid" />
            <text x={pad.l - 6} y={y(t) + 4} textAnchor="end" className="axis">{t}</text>
          </g>
        ))}
        <path d={path} className="line" />
        {values.map((v, i) => (
          <circle key={i} cx={x(i)} cy={y(v)} r={3} className="point">
            <title>
              {i === 0 ? `Start: ${Math.round(v)}` : `Game ${i}: ${Math.round(v)} (${when(points[i - 1]!.finished_at_ms)}, ${points[i - 1]!.outcome})`}
            </title>
          </circle>
        ))}
      </svg>
    </figure>
  );
}
