/**
 * Numbers correlation firings and alert groups in the order they happen, detector-wide. An alert group records the
 * number of the firing that created it, so a later firing can tell whether the group has seen an earlier one (then
 * only the new events need merging). It continues above every number found in restored state.
 */
export class FiringSerial {
  #next = 1;

  take(): number {
    return this.#next++;
  }

  /** State restored from a checkpoint holds `n`: numbers handed out from now on are higher. */
  atLeast(n: number | undefined): void {
    if (n !== undefined && n >= this.#next) this.#next = n + 1;
  }
}
