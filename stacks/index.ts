export * from './base';
export * from './core-stack';
export * from './services-stack';
