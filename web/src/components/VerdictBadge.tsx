import type { Verdict } from "../api";
import { VERDICT_NAMES } from "../format";

export function VerdictBadge({ verdict }: { verdict: Verdict }) {
  return (
    <abbr className={`verdict v-${verdict}`} title={VERDICT_NAMES[verdict]} data-verdict={verdict}>
      {verdict}
    </abbr>
  );
}
