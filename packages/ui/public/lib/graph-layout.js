// Lays out the asset graph with elkjs (loaded as the global ELK): groups are
// compound nodes, edges run between assets across groups.

export const NODE_WIDTH = 210;
const NODE_HEIGHT = 44;
const NODE_HEIGHT_PARTITIONED = 62;

export async function layoutGraph(assets, direction = "DOWN") {
  const byGroup = new Map();
  for (const a of assets) {
    if (!byGroup.has(a.group)) byGroup.set(a.group, []);
    byGroup.get(a.group).push(a);
  }
  const keys = new Set(assets.map((a) => a.key));
  const edges = [];
  for (const a of assets) {
    for (const up of a.inputs)
      if (keys.has(up))
        edges.push({ id: `v:${up}->${a.key}`, sources: [up], targets: [a.key], kind: "input" });
    for (const up of a.deps)
      if (keys.has(up)) edges.push({ id: `d:${up}->${a.key}`, sources: [up], targets: [a.key], kind: "dep" });
  }
  const graph = {
    id: "root",
    layoutOptions: {
      "elk.algorithm": "layered",
      "elk.direction": direction,
      "elk.hierarchyHandling": "INCLUDE_CHILDREN",
      "elk.layered.spacing.nodeNodeBetweenLayers": direction === "DOWN" ? "36" : "56",
      "elk.spacing.nodeNode": "22",
      "elk.spacing.componentComponent": "30",
      "elk.edgeRouting": "SPLINES",
    },
    children: [...byGroup.entries()].map(([group, members]) => ({
      id: `group:${group}`,
      layoutOptions: { "elk.padding": "[top=30,left=14,bottom=14,right=14]" },
      children: members.map((a) => ({
        id: a.key,
        width: NODE_WIDTH,
        height: a.partitions ? NODE_HEIGHT_PARTITIONED : NODE_HEIGHT,
      })),
    })),
    edges: edges.map(({ id, sources, targets }) => ({ id, sources, targets })),
  };
  const result = await new window.ELK().layout(graph);
  return absolutePositions(result, edges);
}

// ELK gives child coordinates relative to their parent, edge points relative to their container.
function absolutePositions(result, edges) {
  const origin = new Map([["root", { x: 0, y: 0 }]]);
  const groups = [];
  const nodes = new Map();
  for (const group of result.children) {
    const gx = group.x;
    const gy = group.y;
    origin.set(group.id, { x: gx, y: gy });
    groups.push({
      name: group.id.slice("group:".length),
      x: gx,
      y: gy,
      width: group.width,
      height: group.height,
    });
    for (const node of group.children) {
      nodes.set(node.id, { x: gx + node.x, y: gy + node.y, width: node.width, height: node.height });
    }
  }
  const kinds = new Map(edges.map((e) => [e.id, e.kind]));
  const lines = result.edges.map((edge) => {
    const o = origin.get(edge.container ?? "root") ?? { x: 0, y: 0 };
    const points = [];
    for (const section of edge.sections ?? []) {
      points.push(section.startPoint, ...(section.bendPoints ?? []), section.endPoint);
    }
    return {
      id: edge.id,
      source: edge.sources[0],
      target: edge.targets[0],
      kind: kinds.get(edge.id),
      points: points.map((p) => ({ x: p.x + o.x, y: p.y + o.y })),
    };
  });
  return { width: result.width, height: result.height, groups, nodes, edges: lines };
}
