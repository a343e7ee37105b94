/** Trace-health constructs and the pure factories behind them. */
export * from './ids';
export * from './json';
export * from './tags';
export * from './span-metrics';
export * from './overview';
export * from './service/specs';
export * from './service/notify';
export * from './service/messages';
export * from './service/monitors';
export * from './service/slos';
export * from './service/plan';
export * from './service/service-trace-health';
