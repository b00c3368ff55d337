#ifndef TLSFLOW_CPCAP_SHIM_H
#define TLSFLOW_CPCAP_SHIM_H
#include <pcap/pcap.h>
#endif
