import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import type { ChartsResult, TraceTimelineResult } from '../../../src/protocol';
import { captureFile, closeAllEditors, eventually, viommuApi } from './helpers';

interface Shown<T> {
  shown: T | undefined;
  panel: vscode.WebviewPanel;
}

describe('pictures', () => {
  after(async () => {
    await closeAllEditors();
  });

  it('the trace timeline of a capture: its lanes, and a column opened in the editor with the IOTLB view replayed to it', async () => {
    const api = await viommuApi();
    const trace = captureFile('qemu-vtd.trace');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(trace));
    const panel = (await vscode.commands.executeCommand('viommu.showTraceTimeline', trace)) as Shown<TraceTimelineResult> & { reveal(line: number, end: number): Promise<vscode.TextEditor | undefined> };
    const t = await eventually('the timeline drawn', () => panel.shown);
    assert.equal(t.axis, 'line', 'the sample trace has no time stamps: line numbers');
    assert.deepEqual(t.lanes.filter((l) => l.kind === 'device').map((l) => l.label), ['00:02.0', '00:03.0', '00:04.0', '00:05.0', '00:1f.2']);
    const column = t.firstLine.findIndex((l) => l > 10000);
    const editor = await panel.reveal(t.firstLine[column], t.lastLine[column]);
    assert.equal(editor?.selection.start.line, t.firstLine[column]);
    // The trace views replay to that line.
    // The trace views replay to that line: their source names it, and the server's IOTLB as of it has fewer hits than the whole trace's 701.
    const source = await eventually('the trace views at that line', () => (api.traceSource()?.asOfLine === t.firstLine[column] ? api.traceSource() : undefined));
    const roots = (await api.client.sendRequest('viommu/treeChildren', { view: 'iotlb', source })) as { label: string; description?: string }[];
    const counters = roots.find((n) => n.label === 'Counters');
    assert.ok(counters && !/^701 hits/.test(counters.description ?? ''), counters?.description);
    panel.panel.dispose();
  });

  it('the simulation charts: a stepped session\'s figures over events, redrawn as it steps', async () => {
    await viommuApi();
    await vscode.commands.executeCommand('viommu.simulation.new', { builtin: 'static-dpdk' });
    await vscode.commands.executeCommand('viommu.simulation.step', 20000);
    const panel = (await vscode.commands.executeCommand('viommu.showSimulationCharts')) as Shown<ChartsResult>;
    const first = await eventually('the charts', () => panel.shown);
    assert.deepEqual(first.charts.map((c) => c.id), ['throughput', 'exits', 'hit-rates', 'cost']);
    const points = first.charts[0].x.length;
    assert.ok(points > 0);
    assert.equal(first.charts[0].bands?.length, 1, "the scenario's published range as a band");
    await vscode.commands.executeCommand('viommu.simulation.step', 20000);
    await eventually('more points after a step', () => ((panel.shown?.charts[0].x.length ?? 0) > points ? true : undefined));
    panel.panel.dispose();
    await vscode.commands.executeCommand('viommu.simulation.stop');
  });
});
