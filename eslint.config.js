// Lint: typescript-eslint's recommended rules plus the module boundary of STYLE.md — a module
// imports another module only through its index.ts, and the kernel imports no module at all.
import path from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const MODULES = `${path.sep}src${path.sep}modules${path.sep}`;

/** @type {import('eslint').Rule.RuleModule} */
const moduleBoundaries = {
  meta: {
    type: 'problem',
    docs: { description: 'modules import each other only through their index.ts' },
    messages: {
      deep: "'{{target}}' reaches inside module '{{module}}': import '{{module}}/index.ts' instead.",
      kernel: 'The kernel is pure and imports no module (found {{target}}).',
    },
    schema: [],
  },
  create(context) {
    const file = context.filename;
    const moduleOf = (p) => {
      const i = p.indexOf(MODULES);
      return i < 0 ? null : p.slice(i + MODULES.length).split(path.sep)[0];
    };
    const from = moduleOf(file);
    const inKernel = file.includes(`${path.sep}src${path.sep}kernel${path.sep}`);
    const check = (node) => {
      const spec = node.source?.value;
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const target = path.resolve(path.dirname(file), spec);
      const to = moduleOf(target);
      if (inKernel && (to || target.includes(`${path.sep}src${path.sep}db`))) {
        context.report({ node, messageId: 'kernel', data: { target: spec } });
      }
      if (to && to !== from && path.basename(target) !== 'index.ts') {
        context.report({ node, messageId: 'deep', data: { target: spec, module: to } });
      }
    };
    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: check,
    };
  },
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'out/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    plugins: { tollbooth: { rules: { 'module-boundaries': moduleBoundaries } } },
    rules: {
      'tollbooth/module-boundaries': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message: 'Read time through the injected clock (ctx.clock.now()), never Date.now().',
        },
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'Read time through the injected clock (ctx.clock.now()), never new Date().',
        },
      ],
    },
  },
  {
    // Tests and benchmarks read loosely typed JSON bodies; the clock's own file reads the system time.
    files: ['test/**', 'bench/**', '**/*.test.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['src/kernel/clock.ts', 'bench/**', 'scripts/**'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
