import type { Registry } from "prom-client";

type Labels = Readonly<Record<string, string>>;

interface SeriesValue {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

/**
 * Counters and histograms for the per-request path, registered in a `prom-client` registry (which renders them):
 * a caller binds a label set once and gets a plain cell, so recording is an addition with no label hashing
 * (prom-client's own children hash their labels on every call, a few µs per request).
 */
abstract class CellSeries<Cell> {
  readonly #cells = new Map<string, { labels: Labels; cell: Cell }>();
  readonly aggregator = "sum";
  readonly name: string;
  readonly help: string;
  abstract readonly type: string;

  constructor(name: string, help: string, registry: Registry) {
    this.name = name;
    this.help = help;
    registry.registerMetric(this as never);
  }

  protected abstract create(): Cell;
  protected abstract values(labels: Labels, cell: Cell): SeriesValue[];

  /** The cell of a label set (the same object every time for equal labels); keep it to record. */
  cell(labels: Labels): Cell {
    const key = JSON.stringify(labels);
    let entry = this.#cells.get(key);
    if (entry === undefined) {
      entry = { labels: { ...labels }, cell: this.create() };
      this.#cells.set(key, entry);
    }
    return entry.cell;
  }

  /** Drops every label set with this label value; a kept cell then records into nothing rendered. */
  removeWhere(label: string, value: string): void {
    for (const [key, entry] of this.#cells) if (entry.labels[label] === value) this.#cells.delete(key);
  }

  reset(): void {
    this.#cells.clear();
  }

  get(): { name: string; help: string; type: string; values: SeriesValue[]; aggregator: string } {
    const values: SeriesValue[] = [];
    for (const { labels, cell } of this.#cells.values()) values.push(...this.values(labels, cell));
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }
}

export interface CounterCell {
  value: number;
}

export class CellCounter extends CellSeries<CounterCell> {
  readonly type = "counter";

  protected create(): CounterCell {
    return { value: 0 };
  }

  protected values(labels: Labels, cell: CounterCell): SeriesValue[] {
    return [{ labels: { ...labels }, value: cell.value }];
  }
}

export class HistogramCell {
  /** Observations per bucket (not cumulative); the last slot is +Inf. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  readonly #bounds: readonly number[];

  constructor(bounds: readonly number[]) {
    this.#bounds = bounds;
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    const bounds = this.#bounds;
    let index = 0;
    while (index < bounds.length && value > bounds[index]!) index++;
    this.counts[index]! += 1;
    this.sum += value;
    this.count += 1;
  }
}

export class CellHistogram extends CellSeries<HistogramCell> {
  readonly type = "histogram";
  readonly buckets: readonly number[];

  constructor(name: string, help: string, registry: Registry, buckets: readonly number[]) {
    super(name, help, registry);
    this.buckets = buckets;
  }

  protected create(): HistogramCell {
    return new HistogramCell(this.buckets);
  }

  protected values(labels: Labels, cell: HistogramCell): SeriesValue[] {
    const values: SeriesValue[] = [];
    let cumulative = 0;
    this.buckets.forEach((bound, index) => {
      cumulative += cell.counts[index]!;
      values.push({ labels: { ...labels, le: bound }, value: cumulative, metricName: `${this.name}_bucket` });
    });
    values.push({ labels: { ...labels, le: "+Inf" }, value: cell.count, metricName: `${this.name}_bucket` });
    values.push({ labels: { ...labels }, value: cell.sum, metricName: `${this.name}_sum` });
    values.push({ labels: { ...labels }, value: cell.count, metricName: `${this.name}_count` });
    return values;
  }
}
