/** Version written into reports; esbuild replaces it with package.json's version at build time. */
declare const __MIMOSANET_VERSION__: string | undefined;

/** This build's version ("dev" when run from source). */
export const TOOL_VERSION: string = typeof __MIMOSANET_VERSION__ === 'string' ? __MIMOSANET_VERSION__ : 'dev';
