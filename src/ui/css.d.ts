// `import css from './styles.css?inline'`: the file's text (Vite in tests, a small rollup plugin in the build).
declare module '*.css?inline' {
  const css: string;
  export default css;
}
