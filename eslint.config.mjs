import nx from '@nx/eslint-plugin';

// Layers, bottom to top; every arrow points down (see docs/architecture.md):
//   layer:core     libs/{document,benchmark-items}  document model, file IO; benchmark items, sources, loaders
//   layer:runtime  libs/stage               steps, tasks, executor, CLI scaffold
//   layer:step     libs/{ingest,langid,dedupe,shards,...}  pipeline steps
//   layer:eval     libs/{xmedbench,onnx-lm}  prompts, scoring, the eval harness, ONNX engine
//   layer:catalog  libs/pipeline-config     every stage's settings: what a pipeline file may hold
//   layer:app      apps/*                   thin command lines
//   layer:tool     tools/*                  build, benchmarks, pipeline runner
export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  { ignores: ['**/dist', '**/node_modules', 'output', '.nx', '**/fixtures/**', '**/*.js', '**/*.mjs'] },
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'layer:core', onlyDependOnLibsWithTags: ['layer:core'] },
            { sourceTag: 'layer:runtime', onlyDependOnLibsWithTags: ['layer:core'] },
            { sourceTag: 'layer:step', onlyDependOnLibsWithTags: ['layer:core', 'layer:runtime', 'layer:step'] },
            { sourceTag: 'layer:eval', onlyDependOnLibsWithTags: ['layer:core', 'layer:eval'] },
            { sourceTag: 'layer:catalog', onlyDependOnLibsWithTags: ['layer:core', 'layer:runtime', 'layer:step'] },
            { sourceTag: 'layer:app', onlyDependOnLibsWithTags: ['layer:core', 'layer:runtime', 'layer:step', 'layer:eval', 'layer:catalog'] },
            { sourceTag: 'layer:tool', onlyDependOnLibsWithTags: ['layer:core', 'layer:runtime', 'layer:step', 'layer:eval', 'layer:catalog'] },
            { sourceTag: 'layer:pipeline', onlyDependOnLibsWithTags: [] },
          ],
        },
      ],
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
];
