/**
 * Issue #21, point 6: Klevu's `item_id` is the document's compound "parentid-childid" – `<groupId>-<variantId>` –
 * whenever the shop gave both and they differ, else the `productId` (SPEC §5). Which of the two ids the shop put in
 * `productId` does not matter.
 */
import type { OrderItem } from '../../../lambdas/core/order';
import { klevuItemId, toKlevuItem } from '../../../lambdas/vendors/klevu/mapping';

type Ids = Pick<OrderItem, 'productId' | 'groupId' | 'variantId'>;

describe('Klevu item_id', () => {
  it.each<[Ids, string]>([
    // The case: the parent's id as productId, with a distinct variant.
    [{ productId: '54321', groupId: '54321', variantId: '12345' }, '54321-12345'],
    // The child's own id as productId: the same compound.
    [{ productId: '12345', groupId: '54321', variantId: '12345' }, '54321-12345'],
    // Any other productId: the compound still comes from the two ids the shop gave.
    [{ productId: 'SKU-RED', groupId: 'SKU', variantId: 'RED' }, 'SKU-RED'],
    [{ productId: 'X-9', groupId: 'G', variantId: 'V' }, 'G-V'],
    [{ productId: '54321-12345', groupId: '54321', variantId: '12345' }, '54321-12345'],
  ])('sends %j as %s: both ids given and distinct', (item, expected) => {
    expect(klevuItemId(item)).toBe(expected);
  });

  it.each<[Ids, string]>([
    // A simple product: group and variant are the product itself.
    [{ productId: 'P1', groupId: 'P1', variantId: 'P1' }, 'P1'],
    // Group and variant equal but not the productId: not a parent with a distinct child.
    [{ productId: 'P1', groupId: 'G1', variantId: 'G1' }, 'P1'],
    // Only one of the two given: no compound can be built.
    [{ productId: 'SKU-RED-M', groupId: 'SKU' }, 'SKU-RED-M'],
    [{ productId: 'V1', variantId: 'V1' }, 'V1'],
    [{ productId: 'V2', variantId: 'V1' }, 'V2'],
    [{ productId: 'P1' }, 'P1'],
  ])('sends %j as %s: the productId', (item, expected) => {
    expect(klevuItemId(item)).toBe(expected);
  });

  it('puts the compound in the event item, with the parent and the child in their own fields', () => {
    const item = toKlevuItem({ orderId: 'K-1', currency: 'EUR' }, { productId: '54321', groupId: '54321', variantId: '12345', name: 'Shirt', unitPrice: 10, quantity: 1 }, 1);
    expect(item).toMatchObject({ item_id: '54321-12345', item_group_id: '54321', item_variant_id: '12345' });
  });
});
