// A Node warning (a deprecation, a listener leak) fails the test that caused it.
process.on('warning', (warning) => {
  throw warning;
});
