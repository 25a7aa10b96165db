export default async function globalTeardown(): Promise<void> {
  await Promise.all((globalThis.__TRACKING_TEST_SERVICES__ ?? []).map((service) => service.stop()));
}
