import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SourceGraph } from '../analysis/types.js';
import { graphSvg, radialLayout } from './graph-svg.js';
import { renderDot } from './dot.js';

function graph(n: number): SourceGraph {
  return {
    ip: '113.0.0.205',
    cc: 'CN',
    calls: n * 10,
    edges: Array.from({ length: n }, (_, k) => ({ destination: `C${k}`, count: n - k })),
  };
}

describe('link graph (Figure 5)', () => {
  it('places 142 countries on rings with no two nodes closer than a node diameter', () => {
    const nodes = radialLayout(graph(142));
    assert.equal(nodes.length, 142);
    for (let a = 0; a < nodes.length; a++) {
      for (let b = a + 1; b < nodes.length; b++) {
        const d = Math.hypot(nodes[a]!.x - nodes[b]!.x, nodes[a]!.y - nodes[b]!.y);
        assert.ok(d >= 30, `nodes ${a} and ${b} overlap (${d.toFixed(1)})`);
      }
    }
  });
  it('the most called country sits at the top, and the layout is deterministic', () => {
    const nodes = radialLayout(graph(5));
    assert.equal(nodes[0]?.label, 'C0');
    assert.ok(Math.abs(nodes[0].x) < 1e-9 && nodes[0].y < 0);
    assert.equal(graphSvg(graph(30)), graphSvg(graph(30)));
  });
  it('escapes attacker strings in the SVG and the DOT output', () => {
    const g: SourceGraph = {
      ip: '<script>x</script>"',
      cc: null,
      calls: 1,
      edges: [{ destination: '"];evil', count: 1 }],
    };
    assert.ok(!graphSvg(g).includes('<script>'));
    const dot = renderDot([g]);
    assert.ok(dot.includes('label="\\"];evil"'));
    assert.match(dot, /^ {2}s0 -> c0 \[penwidth=5\.0, label="1"\];$/m);
  });
});
