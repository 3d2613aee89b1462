/** Public surface of @daydream/cli for other front ends (e.g. `assets ui`) that resolve the same project. */
export { main } from "./main.ts";
export {
  applyEnvDefaults,
  findProjectConfig,
  type Project,
  type ProjectConfig,
  readProjectConfig,
  resolveProject,
} from "./project-config.ts";
