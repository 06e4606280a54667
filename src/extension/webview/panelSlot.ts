// Where a kind of webview panel keeps its one open panel: made by the part
// that registers the panel's command (no static or module state), so a
// second command reuses the panel and a closed one frees the slot.

export class PanelSlot<T> {
  current: T | undefined;

  /** The panel is closed: the slot is free again (unless another took it). */
  release(panel: T): void {
    if (this.current === panel) this.current = undefined;
  }
}
