// The guest-memory accesses QEMU's own virtio (vhost off) makes per element
// of a split virtqueue, as QEMU 7.2's hw/virtio/virtio.c and
// hw/net/virtio-net.c make them with VIRTIO_RING_F_EVENT_IDX (which Linux
// negotiates): each one an IOMMU translation when the device sits behind the
// vIOMMU. The descriptor table is one page, the available and used rings
// share the next (the layout Linux's vring_init gives a 256-entry queue).
//
// Sending (virtio_net_flush_tx): virtqueue_pop reads the available index,
// the available-ring entry and the descriptor (vring_avail_idx,
// vring_avail_ring, vring_split_desc_read); the packet is read; virtqueue_push
// writes the used element and the used index (vring_used_write,
// vring_used_idx_set); virtio_notify reads the driver's used_event
// (vring_get_used_event); the loop's next virtqueue_pop finds the queue
// empty (the available index), virtio_queue_set_notification(1) writes
// avail_event (vring_set_avail_event) and the queue is checked twice more.
//
// Receiving (virtio_net_receive_rcu): virtio_net_has_buffers reads the
// available index, entry and descriptor (virtqueue_get_avail_bytes), then
// virtqueue_pop reads them again; the packet is written; the used element,
// the used index and used_event as above.
//
// The counts agree with the VM lane's real traces: 19 ring accesses per
// echo over virtio-net, as the twin table shows.

type RingPart = 'desc' | 'ring' | 'data';

export interface RingAccess {
  part: RingPart;
  write: boolean;
}

const r = (part: RingPart, write = false): RingAccess => ({ part, write });

export const QEMU_TX_ELEMENT: readonly RingAccess[] = [
  r('ring'), // available index
  r('ring'), // available-ring entry
  r('desc'), // the descriptor
  r('data'), // the packet, read
  r('ring', true), // used element
  r('ring', true), // used index
  r('ring'), // used_event
  r('ring'), // the next pop: the queue is empty
  r('ring'), // virtio_queue_empty
  r('ring', true), // avail_event
  r('ring'), // the check after re-enabling notification
];

export const QEMU_RX_ELEMENT: readonly RingAccess[] = [
  r('ring'), // virtio_net_has_buffers: available index
  r('ring'), // its entry
  r('desc'), // its descriptor
  r('ring'), // virtqueue_pop: available index
  r('ring'), // its entry
  r('desc'), // its descriptor
  r('data', true), // the packet, written
  r('ring', true), // used element
  r('ring', true), // used index
  r('ring'), // used_event
];
