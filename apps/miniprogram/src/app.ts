// The mini program's entry; pages and services land with issue #6.
export {};
