import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  checkEvalConfig,
  defaultEvalConfig,
  EVAL_OPTIONS,
  evalOptionsTable,
  optionDefault,
  resolveOptionPaths,
  splitEvalValues,
} from '../harness/eval-options';

const ROOT = join(__dirname, '../../../..');

describe('the eval options, declared once', () => {
  it('are the table of docs/eval.md', () => {
    expect(readFileSync(join(ROOT, 'docs/eval.md'), 'utf8')).toContain(evalOptionsTable());
  });

  it('give the run configuration in declaration order, without the command\'s own options and without options not given', () => {
    const config = defaultEvalConfig('/repo');
    expect(Object.keys(config)).toEqual([
      'model',
      'items',
      'mode',
      'prompt',
      'shots',
      'shotsFrom',
      'seed',
      'batchTokens',
      'maxBatch',
      'limit',
      'threads',
      'bos',
      'maxNewTokens',
      'arabicLetters',
      'alphas',
      'rank',
      'worldSize',
      'chunk',
    ]);
    expect(config).toMatchObject({ model: '/repo/tools/tiny-model/fixture', items: ['/repo/pipelines/benchmarks/xmedbench-dev'], mode: 'letter', alphas: [1] });
    const { config: c, command } = splitEvalValues({ ...config, stop: ['###'], output: '/out', quiet: true });
    expect(Object.keys(c)).toContain('stop');
    expect(command).toEqual({ output: '/out', quiet: true });
  });

  it('resolve given paths against the working directory and defaults against the repository, keeping item formats', () => {
    expect(resolveOptionPaths(EVAL_OPTIONS.items, ['pubmedqa:data/x.json', 'dev', '/abs/en.json'], '/cwd')).toEqual(['pubmedqa:/cwd/data/x.json', '/cwd/dev', '/abs/en.json']);
    expect(resolveOptionPaths(EVAL_OPTIONS.model, 'm', '/cwd')).toBe('/cwd/m');
    expect(optionDefault(EVAL_OPTIONS.output, '/repo')).toBe('/repo/output/eval');
    expect(optionDefault(EVAL_OPTIONS.stop, '/repo')).toBeUndefined();
  });

  it('parse numbers and lists with messages naming the flag', () => {
    expect(EVAL_OPTIONS.alphas.parse!('0, 0.5,1')).toEqual([0, 0.5, 1]);
    expect(() => EVAL_OPTIONS.alphas.parse!('a,1')).toThrow('--alpha takes numbers separated by commas');
    expect(EVAL_OPTIONS.worldSize.parse!('4')).toBe(4);
    expect(() => EVAL_OPTIONS.worldSize.parse!('0')).toThrow('--world-size must be an integer >= 1');
    expect(() => EVAL_OPTIONS.shots.parse!('1.5')).toThrow('--shots must be an integer >= 0');
  });

  it('check combinations no single option can', () => {
    const config = defaultEvalConfig('/repo');
    expect(() => checkEvalConfig({ ...config, rank: 2, worldSize: 2 })).toThrow('--rank must be below --world-size');
    expect(() => checkEvalConfig({ ...config, expert: '/m' })).toThrow('proxy-tuning needs both --expert and --antiexpert');
    expect(() => checkEvalConfig(config)).not.toThrow();
  });
});
