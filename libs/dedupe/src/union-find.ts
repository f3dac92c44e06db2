/**
 * Disjoint sets over 0..n-1 with union by size and path halving: near-constant time per
 * operation, two Int32Arrays of memory. Which element ends up as a set's root is an
 * implementation detail; callers pick a cluster's kept document by policy, not by root.
 */
export class UnionFind {
  private readonly parent: Int32Array;
  private readonly size: Int32Array;

  constructor(readonly count: number) {
    this.parent = new Int32Array(count);
    this.size = new Int32Array(count).fill(1);
    for (let i = 0; i < count; i++) this.parent[i] = i;
  }

  find(x: number): number {
    const p = this.parent;
    while (p[x] !== x) {
      p[x] = p[p[x]!]!;
      x = p[x]!;
    }
    return x;
  }

  /** Joins the sets of x and y; returns false when they were already one set. */
  union(x: number, y: number): boolean {
    let rx = this.find(x);
    let ry = this.find(y);
    if (rx === ry) return false;
    if (this.size[rx]! < this.size[ry]!) [rx, ry] = [ry, rx];
    this.parent[ry] = rx;
    this.size[rx]! += this.size[ry]!;
    return true;
  }

  /** Number of elements in x's set. */
  setSize(x: number): number {
    return this.size[this.find(x)]!;
  }
}
