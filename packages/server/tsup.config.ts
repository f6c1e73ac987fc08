import { defineConfig } from 'tsup'

export default defineConfig([
  {
    entry: { index: 'src/index.ts', testing: 'src/testing/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node20',
    shims: true,
  },
  {
    // Not exported: the throwaway PostgreSQL cluster the benchmarks start (tests import it from source), the
    // usage section the query benchmark times on its own, and the raw point and chart blocks its seeding writes.
    entry: {
      cli: 'src/cli/index.ts',
      'internal/postgres-cluster': 'src/testing/postgres-cluster.ts',
      'internal/usage-report': 'src/query/usage-report.ts',
      'internal/point-block': 'src/store/sql/point-block.ts',
      'internal/chart-block': 'src/store/sql/chart-block.ts',
    },
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
  },
  {
    // The dashboard served at `/`: a browser bundle with React, the MetricsTab and uPlot.
    entry: { 'dashboard/app': 'src/dashboard/app.tsx' },
    format: ['esm'],
    platform: 'browser',
    target: 'es2022',
    minify: true,
    noExternal: [/.*/],
    splitting: false,
    define: { 'process.env.NODE_ENV': '"production"' },
  },
])
